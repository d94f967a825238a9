"""One line of delimited text -> its cells and their numbers: the delimiter, "quoted"
cells, decimal commas (in `;`-separated files), and the message for a cell that is not a
finite number, with its line and column."""

from __future__ import annotations

import math
import re

from rnncli.decimal_numbers import NON_FINITE, decimal
from rnncli.errors import RnnCliError, located
from rnncli.message_words import shown

_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?", re.ASCII)


def delimiter_of(line: str) -> str:
    """The first data line decides: tab, then `;`, then `,`, else runs of spaces (" ")."""
    for candidate in ("\t", ";", ","):
        if candidate in line:
            return candidate
    return " "


def split(line: str, delimiter: str) -> list[tuple[str, int]]:
    """The cells of a line, unquoted and stripped, with the 1-based column where each starts."""
    if delimiter == " ":
        return [(_unquoted(m.group()), m.start() + 1) for m in re.finditer(r"\S+", line)]
    if '"' in line:
        return _split_quoted(line, delimiter)
    cells = []
    start = 0
    for cell in line.split(delimiter):
        lead = len(cell) - len(cell.lstrip())
        cells.append((cell.strip(), start + lead + 1))
        start += len(cell) + 1
    return cells


def _split_quoted(line: str, delimiter: str) -> list[tuple[str, int]]:
    """As _split, for a line with "quoted" cells, where "" is a quote inside one."""
    cells: list[tuple[str, int]] = []
    position = 0
    while True:
        start = position
        while line[start : start + 1] == " ":
            start += 1
        text: list[str] = []
        end = start
        if line[start : start + 1] == '"':
            end = start + 1
            while end < len(line):
                if line[end] == '"' and line[end + 1 : end + 2] == '"':
                    text.append('"')
                    end += 2
                elif line[end] == '"':
                    end += 1
                    break
                else:
                    text.append(line[end])
                    end += 1
        stop = line.find(delimiter, end)
        stop = len(line) if stop < 0 else stop
        cells.append(("".join(text) + line[end:stop].strip(), start + 1))
        if stop >= len(line):
            return cells
        position = stop + 1


def _unquoted(cell: str) -> str:
    return cell[1:-1] if len(cell) >= 2 and cell[0] == cell[-1] == '"' else cell


def number(cell: str, delimiter: str) -> float | None:
    """The one test of "is this cell a number", for the header rule and the reader
    alike: the cell's value (NaN or infinity where it spells one), or None. Spaces around
    the number are not part of it, inside quotes too (`" 0.5 "` is 0.5)."""
    text = cell.strip()
    value = decimal(text)
    if value is not None:
        return value
    if delimiter == ";" and _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", "."))  # a decimal comma, as `;`-separated files use
    if NON_FINITE.fullmatch(text):
        return float(text.replace(".", ""))  # YAML's .nan and .inf
    return None


def numeric(cell: str, delimiter: str) -> bool:
    """A number, or NaN/Inf written as one: a header has none of these."""
    return number(cell, delimiter) is not None


def cell_number(
    cell: str,
    delimiter: str,
    source: str,
    line: int,
    column: int,
    index: int,
    header: tuple[str, ...] | None,
    first_row: bool,
) -> float:
    value = number(cell, delimiter)
    name = f"column {index + 1}" + (f" ({header[index]})" if header and header[index] else "")
    if value is not None and math.isfinite(value):
        return value
    if value is None:
        got = "an empty cell" if cell.strip() == "" else shown(cell)
        message = f"{name}: expected a number, got {got}"
        if header is None and first_row:
            message += " (a header row names every column and holds no numbers)"
        elif first_row and cell.strip():
            which = shown(header[index]) if header and header[index] else str(index + 1)
            message += f"; --keep {which} copies a text column to the output, --drop leaves it out"
    else:
        message = f"{name}: {shown(cell)} is not a finite number; every value must be one"
    raise RnnCliError(located(source, message, line, column))
