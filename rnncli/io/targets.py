"""--targets FILE -> the targets of `backward`: y_t per step, read by the sequence readers.

T rows target every step (many-to-many), one row the last (many-to-one); a row of `nan`
cells (CSV, TSV) or a `null` row (JSON, JSON Lines: `null`, `[null, null]` or
`{"x": null}`) means no loss at that step. mse reads O numbers per row;
cross-entropy one class index per row, an integer from 0 to O - 1. Every error names
the file, and the line and column where there is one.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import numpy.typing as npt

from rnncli.errors import EXIT_USAGE, RnnCliError, located
from rnncli.io.delimited_cells import delimiter_of, split
from rnncli.io.files import MAX_SEQUENCE_BYTES, decode_text, read_bytes, source_name
from rnncli.io.sequence import format_of, parse_sequence, sniff_format
from rnncli.message_words import counted
from rnncli.option_values import InputFormat, LossName, Mode

_NAN = re.compile(r"nan", re.IGNORECASE)
#: A JSON string (skipped whole, so a "null" inside one is left alone) or the token null.
_STRING_OR_NULL = re.compile(r'"(?:[^"\\]|\\.)*"|\bnull\b')


def _data_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line that is neither blank nor a # comment."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _is_nan_row(line: str) -> bool:
    cells = split(line, delimiter_of(line))
    return bool(cells) and all(_NAN.fullmatch(cell) for cell, _ in cells)


def _is_null_step(step: Any) -> bool:
    """null, [null, ...] or {"x": null} / {"x": [null, ...]}: a step without a target."""
    if isinstance(step, dict) and set(step) == {"x"}:
        step = step["x"]
    if isinstance(step, list):
        return bool(step) and all(v is None for v in step)
    return step is None


def _is_null_line(line: str) -> bool:
    """A JSON Lines line that holds a null step."""
    try:
        return _is_null_step(json.loads(line))
    except ValueError:
        return False  # the reader says what is wrong with it


def _nulls(value: Any) -> int:
    """How many nulls a JSON value holds, at any depth."""
    if isinstance(value, list):
        return sum(_nulls(v) for v in value)
    if isinstance(value, dict):
        return sum(_nulls(v) for v in value.values())
    return 1 if value is None else 0


def _json_null_rows(text: str) -> tuple[str, list[int]]:
    """A JSON document's null steps (their indices) and the text with them read as
    zeros: each null inside a row as `0` padded to null's four characters, a bare null
    step among rows of width w as `[0, ..., 0]`, so every line stays where it was (and
    every column but those after a bare null on its line); the rows are made nan after.
    A null anywhere else (a row's one missing value) stays for the reader to refuse."""
    try:
        document = json.loads(text)
    except ValueError:
        return text, []
    if isinstance(document, dict) and set(document) == {"sequence"}:
        document = document["sequence"]
    if not isinstance(document, list):
        return text, []
    null_rows = [k for k, step in enumerate(document) if _is_null_step(step)]
    if not null_rows or _nulls(document) != sum(_nulls(document[k]) for k in null_rows):
        return text, []  # no null rows, or a null elsewhere: left for the reader
    width = next((len(step) for step in document if isinstance(step, list)), 0)
    zero_row = "[" + ", ".join(["0"] * width) + "]" if width else "0   "
    # What each null of the text becomes, in the document's (and so the text's) order.
    zeros = iter(
        [zero_row] if document[k] is None else ["0   "] * len(document[k]) for k in null_rows
    )
    flat = iter([zero for row in zeros for zero in row])
    zeroed = _STRING_OR_NULL.sub(lambda m: next(flat) if m.group() == "null" else m.group(), text)
    return zeroed, null_rows


def read_targets(
    path: str,
    steps: int,
    outputs: int,
    loss: LossName,
    mode: Mode | None,
    input_format: InputFormat | None = None,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], Mode]:
    """The targets at `path` for a run of `steps` steps with `outputs` outputs: Y (steps
    x outputs for mse, steps x 1 class indices for cross-entropy; nan where no loss), S
    (the steps that carry a loss), and the mode they make (the one given, else
    many-to-many for T rows, many-to-one for one)."""
    source = source_name(path)
    chosen_format = format_of(path, input_format)
    text = decode_text(read_bytes(path, "targets", MAX_SEQUENCE_BYTES), source)
    text_format = sniff_format(text) if chosen_format is None else chosen_format
    delimited = text_format not in (InputFormat.JSON, InputFormat.JSONL)
    # A row of nan cells (a null step in JSON Lines): no loss at that step. It is blanked
    # for the reader (so every line keeps its number) and put back as a row of nan after.
    is_empty_row = _is_null_line if text_format is InputFormat.JSONL else _is_nan_row
    rows = [] if text_format is InputFormat.JSON else _data_lines(text)
    nan_rows = [k for k, (_, line) in enumerate(rows) if is_empty_row(line)]
    # JSON's null steps are read as zeros in their place, then made nan.
    json_nulls: list[int] = []
    if text_format is InputFormat.JSON:
        text, json_nulls = _json_null_rows(text)
    if nan_rows and len(nan_rows) == len(rows):
        raise _no_loss(source, "null" if text_format is InputFormat.JSONL else "nan")
    if nan_rows:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for k in nan_rows:
            lines[rows[k][0] - 1] = ""
        text = "\n".join(lines)
    sequence = parse_sequence(text, source, chosen_format)
    header_rows = 1 if sequence.columns is not None else 0
    # Row i of the targets is data line header_rows + i (CSV and TSV; JSON has no lines).
    row_lines: list[int | None] = [number for number, _ in rows[header_rows:]]
    count = len(sequence.X) + len(nan_rows)
    if json_nulls and len(json_nulls) == count:
        raise _no_loss(source, "null")
    if not delimited:
        row_lines = [None] * count
    Y = np.full((count, sequence.features), np.nan)
    nan_targets = {k - header_rows for k in nan_rows}
    Y[[i for i in range(count) if i not in nan_targets]] = sequence.X
    Y[json_nulls] = np.nan
    width = 1 if loss is LossName.CROSS_ENTROPY else outputs
    if sequence.features != width:
        what = (
            "one class index per row"
            if loss is LossName.CROSS_ENTROPY
            else f"{counted(outputs, 'value')} per row, one per output (O = {outputs})"
        )
        raise RnnCliError(
            f"{source}: has {counted(sequence.features, 'value')} per row; {loss} takes {what}"
        )
    if count not in (steps, 1):
        raise RnnCliError(
            f"{source}: has {counted(count, 'row')}; give T = {steps} (a target at every "
            "step, many-to-many) or 1 (at t = T, many-to-one)"
        )
    if mode is None:
        mode = Mode.MANY_TO_MANY if count == steps and steps > 1 else Mode.MANY_TO_ONE
    if mode not in (Mode.MANY_TO_MANY, Mode.MANY_TO_ONE):
        raise RnnCliError(
            f"--mode: backward takes many-to-many or many-to-one, not {mode}", EXIT_USAGE
        )
    full = np.full((steps, width), np.nan)
    if count == 1:
        if mode is Mode.MANY_TO_MANY and steps > 1:
            raise RnnCliError(
                f"{source}: has 1 row, but many-to-many makes an output at each of the "
                f"{steps} steps; give {steps} rows (nan for a step without a loss)"
            )
        full[-1] = Y[0]
        row_lines = [*([None] * (steps - 1)), *row_lines]
    else:
        full[:] = Y
    S = ~np.isnan(full).all(axis=1)
    if mode is Mode.MANY_TO_ONE and S[:-1].any():
        k = int(np.flatnonzero(S[:-1])[0])
        raise RnnCliError(
            located(
                source,
                f"many-to-one makes one output, at t = {steps}, so the target for t = {k + 1} "
                "has no output to compare with; make that row nan",
                row_lines[k],
            )
        )
    if loss is LossName.CROSS_ENTROPY:
        for t in np.flatnonzero(S):
            _check_class(float(full[t, 0]), outputs, source, row_lines[t])
    return full, S, mode


def _no_loss(source: str, empty: str) -> RnnCliError:
    return RnnCliError(f"{source}: every row is {empty}, so no step carries a loss")


def _check_class(value: float, outputs: int, source: str, line: int | None) -> None:
    """A class index is an integer from 0 to O - 1."""
    if value != int(value):
        message = f"class {value!r} is not an integer; cross-entropy takes class indices from 0"
    elif not 0 <= value < outputs:
        message = f"class {int(value)} is out of range: the {outputs} classes are 0..{outputs - 1}"
    else:
        return
    raise RnnCliError(located(source, message, line, None if line is None else 1))
