"""--targets FILE -> the targets of `backward`: y_t per step, read by the sequence readers.

T rows target every step (many-to-many), one row the last (many-to-one); in CSV and TSV
a row of `nan` cells means no loss at that step. mse reads O numbers per row;
cross-entropy one class index per row, an integer from 0 to O - 1. Every error names
the file, and the line and column where there is one.
"""

from __future__ import annotations

import re

import numpy as np

from rnncli.backward_loss import Targets
from rnncli.delimited_cells import delimiter_of, split
from rnncli.errors import EXIT_USAGE, RnnCliError, located
from rnncli.files import MAX_SEQUENCE_BYTES, decode_text, read_bytes, source_name
from rnncli.message_words import counted
from rnncli.option_values import InputFormat, LossName, Mode
from rnncli.sequence import format_of, parse_sequence

_NAN = re.compile(r"nan", re.IGNORECASE)


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


def read_targets(
    path: str,
    steps: int,
    outputs: int,
    loss: LossName,
    mode: Mode | None,
    input_format: InputFormat | None = None,
) -> tuple[Targets, Mode]:
    """The targets at `path` for a run of `steps` steps with `outputs` outputs, and the
    mode they make (the one given, else many-to-many for T rows, many-to-one for one)."""
    source = source_name(path)
    chosen_format = format_of(path, input_format)
    text = decode_text(read_bytes(path, "targets", MAX_SEQUENCE_BYTES), source)
    delimited = chosen_format not in (InputFormat.JSON, InputFormat.JSONL) and not (
        chosen_format is None and text.lstrip()[:1] in ("[", "{")
    )
    # A row of nan cells: no loss at that step. It is blanked for the reader (so every
    # line keeps its number) and put back as a row of nan after.
    rows = _data_lines(text) if delimited else []
    nan_rows = [k for k, (_, line) in enumerate(rows) if _is_nan_row(line)]
    if nan_rows and len(nan_rows) == len(rows):
        raise RnnCliError(f"{source}: every row is nan, so no step carries a loss")
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
    if not delimited:
        row_lines = [None] * count
    Y = np.full((count, sequence.features), np.nan)
    nan_targets = {k - header_rows for k in nan_rows}
    Y[[i for i in range(count) if i not in nan_targets]] = sequence.X
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
    return Targets(Y=full, S=S), mode


def _check_class(value: float, outputs: int, source: str, line: int | None) -> None:
    """A class index is an integer from 0 to O - 1."""
    if value != int(value):
        message = f"class {value!r} is not an integer; cross-entropy takes class indices from 0"
    elif not 0 <= value < outputs:
        message = f"class {int(value)} is out of range: the {outputs} classes are 0..{outputs - 1}"
    else:
        return
    raise RnnCliError(located(source, message, line, None if line is None else 1))
