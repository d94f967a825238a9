"""Which columns of a table are the features: --columns picks them, --drop leaves some out,
--keep copies some (a timestamp, an id; text allowed) into every output row without
making them features. Names are the header's; numbers count from 1. Every mistake is an
option's misuse (exit 2), told in one line.
"""

from __future__ import annotations

import datetime
import difflib
from typing import Any, NamedTuple

from rnncli.errors import EXIT_USAGE, RnnCliError
from rnncli.message_words import shown
from rnncli.printable import printable


class ColumnChoice(NamedTuple):
    """--columns, --drop and --keep as given: names or numbers from 1."""

    columns: tuple[str, ...] | None = None  # None: every column not dropped, kept or grouped
    drop: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        return self.columns is not None or bool(self.drop) or bool(self.keep)


class Chosen(NamedTuple):
    """The columns chosen, as indices into a row's cells."""

    features: tuple[int, ...]
    kept: tuple[int, ...]


class Kept(NamedTuple):
    """The kept columns: their names and, row by row, their cells as text."""

    names: tuple[str, ...]
    rows: list[tuple[str, ...]]


def option_names(values: list[str] | None) -> tuple[str, ...]:
    """An option given several times, each time a name or a comma list of names."""
    return tuple(name.strip() for value in values or () for name in value.split(","))


def choose(
    choice: ColumnChoice | None,
    header: tuple[str, ...] | None,
    width: int,
    source: str,
    grouped: int | None = None,
) -> Chosen:
    """The feature and kept columns of rows `width` cells wide; `grouped` is the index of
    the --group-by column, never a feature."""
    choice = choice or ColumnChoice()
    find = _Finder(header, width, source)
    drop = {find("--drop", name) for name in choice.drop}
    kept = tuple(find("--keep", name) for name in choice.keep)
    if choice.columns is not None:
        features = tuple(find("--columns", name) for name in choice.columns)
        both = next((k for k in features if k in drop), None)
        if both is not None:
            raise _usage("--drop", f"column {find.named(both)} is also picked by --columns")
    else:
        left_out = drop | set(kept) | {grouped}
        features = tuple(k for k in range(width) if k not in left_out)
    if grouped is not None and grouped in features:
        raise _usage("--columns", f"column {find.named(grouped)} is the --group-by column")
    if not features and choice.given:
        raise _usage("--drop", f"{source}: leaves no column to read as a feature")
    if not features:
        raise RnnCliError(f"{source}: has no columns; expected one column per feature")
    return Chosen(features, kept)


class _Finder:
    """A column's index from its header name or its number from 1."""

    def __init__(self, header: tuple[str, ...] | None, width: int, source: str) -> None:
        self.header, self.width, self.source = header, width, source

    def __call__(self, option: str, name: str) -> int:
        if self.header is not None and name in self.header:
            return self.header.index(name)
        if name.isdigit():
            if 1 <= int(name) <= self.width:
                return int(name) - 1
            raise _usage(
                option, f"column {name} is out of range; {self.source} has {self.width} columns"
            )
        if self.header is None:
            raise _usage(
                option,
                f"{self.source} has no header, so its columns have no names; "
                f"give numbers from 1 to {self.width}",
            )
        named = [column for column in self.header if column]
        close = difflib.get_close_matches(name, named, n=1)
        guess = f"; did you mean {shown(close[0])}?" if close else ""
        raise _usage(
            option,
            f"{self.source} has no column {shown(name)}{guess} "
            f"The columns are: {', '.join(map(printable, named))}",
        )

    def named(self, index: int) -> str:
        if self.header is not None and self.header[index]:
            return shown(self.header[index])
        return str(index + 1)


def _usage(option: str, message: str) -> RnnCliError:
    return RnnCliError(f"{option}: {message}", exit_code=EXIT_USAGE)


def kept_text(value: Any) -> str:
    """A kept value as text: text as it is, a whole number without `.0`, a date or time
    in ISO 8601, nothing for null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)
