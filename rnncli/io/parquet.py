"""Parquet -> the sequence: a table with named columns, read by pyarrow (or polars) when
one is installed (`pip install 'rnncli[parquet]'`), each row a step."""

from __future__ import annotations

import io
from typing import Any

from rnncli.column_choice import ColumnChoice
from rnncli.errors import RnnCliError
from rnncli.io.input_batch import Sequence
from rnncli.io.named_table import named_table

MISSING = "reading Parquet needs pyarrow or polars: pip install 'rnncli[parquet]'"


def read_parquet(data: bytes, source: str, choice: ColumnChoice | None = None) -> Sequence:
    """The sequence in the Parquet file `data`; `source` names it in messages."""
    names, columns = _columns(data, source)
    rows = len(columns[0]) if columns else 0

    def error(t: int, k: int, message: str) -> RnnCliError:
        return RnnCliError(f"{source}: row {t + 1}: {message}")

    return named_table(names, rows, lambda t, k: columns[k][t], source, error, choice)


def _columns(data: bytes, source: str) -> tuple[tuple[str, ...], list[list[Any]]]:
    """The column names and each column's values as Python objects."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        pass
    else:
        try:
            table = pq.read_table(io.BytesIO(data))
        except Exception as error:  # pyarrow's errors have no common base
            raise RnnCliError(f"{source}: not a readable Parquet file: {error}") from None
        return tuple(table.column_names), [column.to_pylist() for column in table.columns]
    try:
        import polars as pl
    except ImportError:
        raise RnnCliError(f"{source}: {MISSING}") from None
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as error:
        raise RnnCliError(f"{source}: not a readable Parquet file: {error}") from None
    return tuple(frame.columns), [frame[name].to_list() for name in frame.columns]
