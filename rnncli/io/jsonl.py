"""JSON Lines -> the sequence X: one step x_t per line, `[...]`, `{"x": [...]}` or a
number (one feature), or a table with named columns as pandas writes it
(`orient="records", lines=True`: one object per step, the same keys on every line).
Read at C speed when well formed, else line by line to name the line and column of
what is wrong."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.column_choice import ColumnChoice
from rnncli.errors import RnnCliError
from rnncli.io.input_batch import Sequence
from rnncli.io.json_values import (
    QUICK_JSON,
    QUICK_REFUSED,
    JsonPlace,
    json_kind,
    json_number,
    json_row,
    load_json,
    quick_matrix,
)
from rnncli.io.named_table import chosen_columns, named_table
from rnncli.message_words import counted


def read_jsonl(text: str, source: str, choice: ColumnChoice | None = None) -> Sequence:
    """The sequence of JSON Lines `text`; `source` names it in messages; `choice` picks
    the columns (by name in records, by number in arrays)."""
    quick = quick_jsonl(text, source)
    if quick is not None:
        return chosen_columns(quick, choice)
    records = _records(text, source, choice)
    if records is not None:
        return records
    return chosen_columns(careful_jsonl(text, source), choice)


def _records(text: str, source: str, choice: ColumnChoice | None) -> Sequence | None:
    """pandas' records, one object per line with the same keys (and not the step form
    {"x": [...]}), as a table with named columns; None when the first line is no such
    object."""
    lines = [(n, raw.rstrip("\r")) for n, raw in enumerate(text.split("\n")) if raw.strip()]
    if not lines:
        return None
    first = load_json(lines[0][1], source, lines[0][0])
    if type(first) is not dict or not first or set(first) == {"x"}:
        return None
    names = tuple(first)
    places: list[JsonPlace] = []
    records: list[dict[str, Any]] = []
    for n, line in lines:
        place = JsonPlace(line, source, n)
        record = load_json(line, source, n)
        step = len(records) + 1
        if type(record) is not dict:
            raise place.error((), f"step {step} is {json_kind(record)}; step 1 is an object")
        if tuple(record) != names:
            message = f"step {step} has the keys {list(record)}, step 1 has {list(names)}"
            raise place.error((), message)
        places.append(place)
        records.append(record)
    return named_table(
        names,
        len(records),
        lambda t, k: records[t][names[k]],
        source,
        lambda t, k, message: places[t].error((names[k],), message),
        choice,
    )


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
