"""The reference `--expect` reads: a run worked out elsewhere (by a framework, by hand),
as a table of named columns.

It is rnncli's own output or any part of it: csv or tsv with a header line naming the
columns t, x1..xI, h1..hH, o1..oO (any of them, in any order); or JSON, rnncli's json
document ({"steps": [...]}) or a list of step objects, or JSON Lines, one step object a
line, each step with any of "t", "x", "h", "o" (lists for x, h and o). An empty csv cell
or a missing key is a value not given, and is not compared.
"""

from __future__ import annotations

import csv
import json
import re
from typing import Any, NamedTuple

from rnncli.decimal_numbers import decimal
from rnncli.errors import RnnCliError, located
from rnncli.io.files import MAX_SEQUENCE_BYTES, decode_text, read_bytes, source_name
from rnncli.message_words import shown

#: A column compared with the run: x, h or o and the unit, from 1.
COLUMN = re.compile(r"([xho])([1-9][0-9]*)", re.ASCII)


class Reference(NamedTuple):
    """The reference's rows: each its t (None without a t column) and its values by
    column name (h2, o1, ...)."""

    source: str
    rows: list[tuple[int | None, dict[str, float]]]
    header_line: int | None = None  # csv / tsv: where the column names are


def read_reference(path: str) -> Reference:
    """The reference file at `path`: csv / tsv, json or jsonl (the name's extension, else
    the content, decides)."""
    source = source_name(path)
    text = decode_text(read_bytes(path, "reference", MAX_SEQUENCE_BYTES), source)
    lowered = path.lower()
    if lowered.endswith((".jsonl", ".ndjson")):
        rows = _json_lines(text, source)
    elif lowered.endswith(".json") or text.lstrip().startswith(("[", "{")):
        rows = _json_document(text, source)
    else:
        header_line, rows = _delimited(text, source)
        return _checked(Reference(source, rows, header_line))
    return _checked(Reference(source, rows))


def _checked(reference: Reference) -> Reference:
    if not reference.rows or not any(values for _, values in reference.rows):
        raise RnnCliError(f"{reference.source}: holds no values to compare (h1.., o1.., x1..)")
    return reference


def _delimited(text: str, source: str) -> tuple[int, list[tuple[int | None, dict[str, float]]]]:
    """csv or tsv: a header line of column names, then one row per step."""
    lines = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]
    if not lines:
        raise RnnCliError(f"{source}: is empty; expected a header line (t,h1,h2,...) and rows")
    header_number, header_line = lines[0]
    delimiter = "\t" if "\t" in header_line else ","
    names = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    for name in names:
        if not name:
            message = "a column has no name; the header names t, x1..xI, h1..hH or o1..oO"
            raise RnnCliError(located(source, message, header_number))
    if len(set(names)) != len(names):
        raise RnnCliError(located(source, "a column is named twice", header_number))
    rows: list[tuple[int | None, dict[str, float]]] = []
    for number, line in lines[1:]:
        cells = [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]
        if len(cells) != len(names):
            message = f"has {len(cells)} cells, the header has {len(names)}"
            raise RnnCliError(located(source, message, number))
        values: dict[str, float] = {}
        t = None
        for name, cell in zip(names, cells, strict=True):
            if cell == "":
                continue  # not given: many-to-one's steps without an output
            value = decimal(cell)
            if value is None:
                message = f"column {name}: expected a number, got {shown(cell)}"
                raise RnnCliError(located(source, message, number))
            if name == "t":
                t = _step(value, source, number)
            else:
                values[name] = value
        rows.append((t, values))
    return header_number, rows


def _json_document(text: str, source: str) -> list[tuple[int | None, dict[str, float]]]:
    """rnncli's json document, {"steps": [...]}, or a list of step objects."""
    document = _loaded(text, source, None)
    steps = document.get("steps") if isinstance(document, dict) else document
    if not isinstance(steps, list):
        raise RnnCliError(
            f'{source}: expected rnncli\'s json ({{"steps": [...]}}) or a list of steps'
        )
    return [_step_values(step, source, None) for step in steps]


def _json_lines(text: str, source: str) -> list[tuple[int | None, dict[str, float]]]:
    """One step object a line."""
    return [
        _step_values(_loaded(line, source, number), source, number)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def _loaded(text: str, source: str, line: int | None) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise RnnCliError(located(source, "not valid JSON", line)) from None


def _step_values(
    step: object, source: str, line: int | None
) -> tuple[int | None, dict[str, float]]:
    """A step object's t and its values by column: {"h": [a, b]} is h1 = a, h2 = b."""
    expected = 'expected a step: {"t": 1, "h": [...], ...} with any of t, x, h, o'
    if not isinstance(step, dict) or not set(step) <= {"t", "x", "h", "o"}:
        raise RnnCliError(located(source, expected, line))
    t = None if "t" not in step else _step(_number(step["t"], source, line), source, line)
    values: dict[str, float] = {}
    for name in ("x", "h", "o"):
        vector = step.get(name)
        if vector is None:
            continue
        if not isinstance(vector, list):
            raise RnnCliError(located(source, f'"{name}": expected a list of numbers', line))
        for unit, value in enumerate(vector, start=1):
            values[f"{name}{unit}"] = _number(value, source, line)
    return t, values


def _number(value: object, source: str, line: int | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RnnCliError(located(source, f"expected a number, got {shown(str(value))}", line))
    return float(value)


def _step(value: float, source: str, line: int | None) -> int:
    if value != int(value) or value < 1:
        raise RnnCliError(located(source, f"t: expected a step from 1, got {value!r}", line))
    return int(value)
