"""JSON Lines -> the sequence X: one step x_t per line, `[...]`, `{"x": [...]}` or a
number (one feature). Read at C speed when well formed, else line by line to name the
line and column of what is wrong."""

from __future__ import annotations

import numpy as np

from rnncli.errors import RnnCliError
from rnncli.input_batch import Sequence
from rnncli.json_values import (
    QUICK_JSON,
    QUICK_REFUSED,
    JsonPlace,
    json_number,
    json_row,
    load_json,
    quick_matrix,
)
from rnncli.message_words import counted


def read_jsonl(text: str, source: str) -> Sequence:
    """The sequence of JSON Lines `text`; `source` names it in messages."""
    quick = quick_jsonl(text, source)
    return quick if quick is not None else careful_jsonl(text, source)


def quick_jsonl(text: str, source: str) -> Sequence | None:
    """JSON Lines read as quick_json_batch reads JSON: at C speed, or None."""
    decode, steps = QUICK_JSON.decode, []
    try:
        for line in text.split("\n"):
            if line and not line.isspace():
                step = decode(line)
                if type(step) is dict:  # {"x": [...]}; any other object is refused below
                    step = step["x"] if set(step) == {"x"} else None
                steps.append(step if type(step) is list else [step])
    except QUICK_REFUSED:
        return None
    X = quick_matrix(steps)
    return None if X is None else Sequence(X, source)


def careful_jsonl(text: str, source: str) -> Sequence:
    """JSON Lines, each value checked in Python: every error names its line and column."""
    rows: list[list[float]] = []
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        place = JsonPlace(line, source, line_no - 1)
        document = load_json(line, source, line_no - 1)
        at: tuple[int | str, ...] = ()
        if isinstance(document, dict):
            if set(document) != {"x"}:
                raise place.error((), 'expected a step as [...] or {"x": [...]}')
            document, at = document["x"], ("x",)
        step = len(rows) + 1
        if isinstance(document, list):
            row = json_row(document, at, place, step)
        else:
            row = [json_number(document, at, place, f"step {step}")]
        if rows and len(row) != len(rows[0]):
            raise place.error(
                at, f"step {step} has {counted(len(row), 'value')}, step 1 has {len(rows[0])}"
            )
        rows.append(row)
    if not rows:
        raise RnnCliError(f"{source}: has no steps; expected one JSON array per line")
    return Sequence(X=np.array(rows, dtype=np.float64), source=source)
