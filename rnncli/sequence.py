"""Files and standard input -> the sequence X, a T x I float array (row t-1 holds x_t).

CSV and TSV: one row per step, one column per feature, an optional header (a first row
that is not all numbers), `#` comment lines and blank lines skipped, `,` `;` tab or
spaces between values. JSON: `[[...], ...]`, `{"sequence": [[...], ...]}` or a flat
`[1, 2, 3]` (one feature). JSON Lines: one step per line, `[...]` or `{"x": [...]}`.
Every error names the file, line and column of the bad value.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import numpy as np

from rnncli.choices import InputFormat
from rnncli.errors import RnnCliError, located
from rnncli.files import STDIN, decode_text, read_bytes, source_name
from rnncli.rnn import FloatArray, Network
from rnncli.words import counted

_EXTENSIONS = {
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.TSV,
    ".tab": InputFormat.TSV,
    ".json": InputFormat.JSON,
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
}


@dataclass(frozen=True)
class Sequence:
    """A sequence of T steps of I features, and where it came from."""

    X: FloatArray  # T x I
    source: str
    columns: tuple[str, ...] | None = None  # the header's names, where there was one

    @property
    def steps(self) -> int:
        return int(self.X.shape[0])

    @property
    def features(self) -> int:
        return int(self.X.shape[1])


def read_sequence(path: str, input_format: InputFormat | None = None) -> Sequence:
    """Read the sequence at `path` (`-` for standard input).

    Without `input_format` the file name's extension decides; failing that, the content
    (JSON starts with `[` or `{`, anything else is read as delimited text).
    """
    source = source_name(path)
    text = decode_text(read_bytes(path, "sequence"), source)
    if input_format is None and path != STDIN:
        input_format = _EXTENSIONS.get(PurePath(path).suffix.lower())
    return parse_sequence(text, source, input_format)


def parse_sequence(text: str, source: str, input_format: InputFormat | None = None) -> Sequence:
    """The sequence in `text`; `source` names it in messages."""
    if input_format is None:
        input_format = _sniff(text)
    if input_format is InputFormat.JSON:
        return _parse_json(text, source)
    if input_format is InputFormat.JSONL:
        return _parse_jsonl(text, source)
    return _parse_delimited(text, source, tab_only=input_format is InputFormat.TSV)


def check_fits(sequence: Sequence, net: Network) -> None:
    """Refuse a sequence whose width is not the network's input size I, saying both."""
    width, I = sequence.features, net.input_size
    if width == I:
        return
    H = net.hidden_size
    hint = ""
    if width == H:
        hint = (
            "; transposed? W_xh must be H x I (hidden x input), "
            "and a Keras kernel is stored as input x hidden"
        )
    raise RnnCliError(
        f"{sequence.source}: has {counted(width, 'feature')} per step "
        f"but the network takes {I} (W_xh is {H}x{I}){hint}"
    )


def _sniff(text: str) -> InputFormat:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if stripped[0] not in "[{":
                return InputFormat.CSV
            try:
                json.loads(text, parse_constant=_refuse_constant)
            except (ValueError, _NonFinite):
                if _every_line_is_json(text):
                    return InputFormat.JSONL
            return InputFormat.JSON
    return InputFormat.CSV


def _every_line_is_json(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    try:
        for line in lines:
            json.loads(line, parse_constant=_refuse_constant)
    except (ValueError, _NonFinite):
        return False
    return len(lines) > 1


# -- delimited text -------------------------------------------------------------------


def _parse_delimited(text: str, source: str, tab_only: bool) -> Sequence:
    delimiter: str | None = "\t" if tab_only else None
    header: tuple[str, ...] | None = None
    header_line = 0
    rows: list[list[float]] = []
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if delimiter is None:
            delimiter = _delimiter_of(line)
        cells = _split(line, delimiter)
        if header is None and not rows and not all(_is_number(c, delimiter) for c, _ in cells):
            header = tuple(cell for cell, _ in cells)
            header_line = line_no
            continue
        width = len(header) if header is not None else (len(rows[0]) if rows else len(cells))
        if len(cells) != width:
            first = f"the header on line {header_line}" if header else "the first row"
            raise RnnCliError(
                located(
                    source, f"has {counted(len(cells), 'value')}, but {first} has {width}", line_no
                )
            )
        rows.append(
            [
                _cell_number(cell, delimiter, source, line_no, column, index, header)
                for index, (cell, column) in enumerate(cells)
            ]
        )
    if not rows:
        what = "only a header" if header is not None else "no data rows"
        raise RnnCliError(f"{source}: has {what}; expected one row of numbers per time step")
    return Sequence(X=np.array(rows, dtype=np.float64), source=source, columns=header)


def _delimiter_of(line: str) -> str:
    """The first data line decides: tab, then `;`, then `,`, else runs of spaces (" ")."""
    for candidate in ("\t", ";", ","):
        if candidate in line:
            return candidate
    return " "


def _split(line: str, delimiter: str) -> list[tuple[str, int]]:
    """The cells of a line with the 1-based column where each starts."""
    if delimiter == " ":
        return [(m.group(), m.start() + 1) for m in re.finditer(r"\S+", line)]
    if '"' in line:
        cells = next(csv.reader([line], delimiter=delimiter))
        return [(cell.strip(), max(line.find(cell), 0) + 1) for cell in cells]
    result = []
    start = 0
    for cell in line.split(delimiter):
        lead = len(cell) - len(cell.lstrip())
        result.append((cell.strip(), start + lead + 1))
        start += len(cell) + 1
    return result


def _as_float(cell: str, delimiter: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        pass
    if delimiter == ";" and re.fullmatch(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?", cell):
        return float(cell.replace(",", "."))  # a decimal comma, as `;`-separated files use
    return None


def _is_number(cell: str, delimiter: str) -> bool:
    return _as_float(cell, delimiter) is not None


def _cell_number(
    cell: str,
    delimiter: str,
    source: str,
    line: int,
    column: int,
    index: int,
    header: tuple[str, ...] | None,
) -> float:
    value = _as_float(cell, delimiter)
    name = f"column {index + 1}" + (f" ({header[index]})" if header else "")
    if value is None:
        got = "an empty cell" if cell == "" else repr(cell)
        raise RnnCliError(located(source, f"{name}: expected a number, got {got}", line, column))
    if not math.isfinite(value):
        message = f"{name}: {cell} is not allowed; every value must be a finite number"
        raise RnnCliError(located(source, message, line, column))
    return value


# -- JSON -----------------------------------------------------------------------------


class _NonFinite(ValueError):
    """JSON's non-standard NaN, Infinity and -Infinity, which a sequence may not hold."""


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


def _load_json(text: str, source: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except _NonFinite as error:
        position = text.find(str(error))
        line, column = _line_column(text, position)
        message = f"{error} is not allowed; every value must be a finite number"
        raise RnnCliError(located(source, message, line + line_offset, column)) from None
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg}"
        raise RnnCliError(
            located(source, message, error.lineno + line_offset, error.colno)
        ) from None
    except RecursionError:
        raise RnnCliError(f"{source}: not a sequence: nested too deeply") from None


def _parse_json(text: str, source: str) -> Sequence:
    document = _load_json(text, source)
    place = _JsonPlace(text, source)
    path: tuple[int | str, ...] = ()
    if isinstance(document, dict):
        if set(document) != {"sequence"}:
            extra = sorted(set(document) - {"sequence"})
            problem = f"unknown key {extra[0]!r}" if extra else 'no key "sequence"'
            raise place.error((), f'{problem}; expected {{"sequence": [[...], ...]}}')
        document, path = document["sequence"], ("sequence",)
    if not isinstance(document, list):
        raise place.error(path, f"expected a list of steps, got {_json_kind(document)}")
    if not document:
        raise place.error(path, "the sequence is empty; expected at least one step")
    if not isinstance(document[0], list):
        # A flat list: a sequence of scalars, one feature (I = 1).
        rows = [
            [_json_number(v, (*path, t), place, f"step {t + 1}")] for t, v in enumerate(document)
        ]
    else:
        rows = []
        for t, step in enumerate(document):
            row = _json_row(step, (*path, t), place, t + 1)
            if rows and len(row) != len(rows[0]):
                message = (
                    f"step {t + 1} has {counted(len(row), 'value')}, step 1 has {len(rows[0])}"
                )
                raise place.error((*path, t), message)
            rows.append(row)
    return Sequence(X=np.array(rows, dtype=np.float64), source=source)


@dataclass(frozen=True)
class _JsonPlace:
    """JSON text, and how to name the place of a value in it."""

    text: str
    source: str
    line_offset: int = 0  # lines before `text` in the file (JSON Lines)

    def error(self, at: tuple[int | str, ...], message: str) -> RnnCliError:
        line, column = _json_location(self.text, at)
        return RnnCliError(located(self.source, message, line + self.line_offset, column))


def _json_row(values: Any, at: tuple[int | str, ...], place: _JsonPlace, step: int) -> list[float]:
    """One step x_t: a list of numbers."""
    if not isinstance(values, list):
        raise place.error(at, f"step {step}: expected a list of numbers, got {_json_kind(values)}")
    if not values:
        raise place.error(at, f"step {step} is empty")
    return [
        _json_number(v, (*at, i), place, f"step {step}, feature {i + 1}")
        for i, v in enumerate(values)
    ]


def _json_number(value: Any, at: tuple[int | str, ...], place: _JsonPlace, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise place.error(at, f"{where}: expected a number, got {_json_kind(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise place.error(at, f"{where}: {value} is too large; every value must be a finite number")
    return number


def _parse_jsonl(text: str, source: str) -> Sequence:
    rows: list[list[float]] = []
    for line_no, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        place = _JsonPlace(line, source, line_no - 1)
        document = _load_json(line, source, line_no - 1)
        at: tuple[int | str, ...] = ()
        if isinstance(document, dict):
            if set(document) != {"x"}:
                raise place.error((), 'expected a step as [...] or {"x": [...]}')
            document, at = document["x"], ("x",)
        step = len(rows) + 1
        if isinstance(document, list):
            row = _json_row(document, at, place, step)
        else:
            row = [_json_number(document, at, place, f"step {step}")]
        if rows and len(row) != len(rows[0]):
            raise place.error(
                at, f"step {step} has {counted(len(row), 'value')}, step 1 has {len(rows[0])}"
            )
        rows.append(row)
    if not rows:
        raise RnnCliError(f"{source}: has no steps; expected one JSON array per line")
    return Sequence(X=np.array(rows, dtype=np.float64), source=source)


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


_TOKEN = re.compile(r'\s*(?:("(?:[^"\\]|\\.)*")|([\[\]{},:])|([^\s\[\]{},:"]+))')


def _json_location(text: str, target: tuple[int | str, ...]) -> tuple[int, int]:
    """Line and column of the value at `target` (keys and indices) in valid JSON `text`."""
    frames: list[list[Any]] = []  # [kind, index or key, expecting a key]
    position = 0
    wanted = list(target)
    while (match := _TOKEN.match(text, position)) and match.end() > position:
        position = match.end()
        string, punctuation, _literal = match.groups()
        start = match.start(match.lastindex or 0)
        if punctuation in ("]", "}"):
            frames.pop()
            continue
        if punctuation == ",":
            if frames[-1][0] == "[":
                frames[-1][1] += 1
            else:
                frames[-1][2] = True
            continue
        if punctuation == ":":
            frames[-1][2] = False
            continue
        if string is not None and frames and frames[-1][0] == "{" and frames[-1][2]:
            frames[-1][1] = json.loads(string)
            continue
        if [frame[1] for frame in frames] == wanted:
            return _line_column(text, start)
        if punctuation == "[":
            frames.append(["[", 0, False])
        elif punctuation == "{":
            frames.append(["{", None, True])
    return 1, 1


def _line_column(text: str, position: int) -> tuple[int, int]:
    position = max(position, 0)
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column
