"""A table with named columns (pandas' JSON records and columns, Parquet) -> the sequence:
the features chosen by --columns/--drop (all but the kept ones by default), each value a
finite number, and the --keep columns copied as text."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from rnncli.column_choice import ColumnChoice, Kept, choose, kept_text
from rnncli.errors import RnnCliError
from rnncli.io.input_batch import Sequence
from rnncli.message_words import shown

#: The value at (row, column) of a table.
Cell = Callable[[int, int], Any]
#: The error for the value at (row, column), with its message.
CellError = Callable[[int, int, str], RnnCliError]


def named_table(
    names: tuple[str, ...],
    rows: int,
    cell: Cell,
    source: str,
    error: CellError,
    choice: ColumnChoice | None = None,
) -> Sequence:
    """The sequence in a table of `rows` rows and these named columns."""
    if rows == 0:
        raise RnnCliError(f"{source}: has no rows; expected one row of numbers per time step")
    chosen = choose(choice, names, len(names), source)
    X = np.empty((rows, len(chosen.features)), dtype=np.float64)
    for j, k in enumerate(chosen.features):
        for t in range(rows):
            X[t, j] = _number(cell(t, k), names[k], t, k, error)
    kept = None
    if chosen.kept:
        kept_rows = [tuple(kept_text(cell(t, k)) for k in chosen.kept) for t in range(rows)]
        kept = Kept(tuple(names[k] for k in chosen.kept), kept_rows)
    columns = tuple(names[k] for k in chosen.features)
    return Sequence(X=X, source=source, columns=columns, kept=kept)


def _number(value: Any, name: str, t: int, k: int, error: CellError) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        got = "null" if value is None else shown(str(value))
        message = f"column {shown(name)}, step {t + 1}: expected a number, got {got}"
        if value is not None:
            message += f"; --keep {shown(name)} copies it to the output, --drop leaves it out"
        raise error(t, k, message)
    number = float(value)
    if not math.isfinite(number):
        message = f"column {shown(name)}, step {t + 1}: {number} is not a finite number"
        raise error(t, k, message)
    return number


def chosen_columns(sequence: Sequence, choice: ColumnChoice | None) -> Sequence:
    """A sequence read without names (a JSON matrix) with --columns, --drop and --keep
    applied by column number."""
    if choice is None or not choice.given:
        return sequence
    width = sequence.features
    chosen = choose(choice, None, width, sequence.source)
    kept = None
    if chosen.kept:
        values = sequence.X[:, list(chosen.kept)].tolist()
        kept_rows = [tuple(kept_text(v) for v in row) for row in values]
        kept = Kept(tuple(f"column{k + 1}" for k in chosen.kept), kept_rows)
    X = np.ascontiguousarray(sequence.X[:, list(chosen.features)])
    return sequence._replace(X=X, kept=kept)
