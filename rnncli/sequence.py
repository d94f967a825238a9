"""Files and standard input -> the sequence X, a T x I float array (row t-1 holds x_t).

CSV and TSV: one row per step, one column per feature, an optional header (a first row
that is not all numbers), `#` comment lines and blank lines skipped, `,` `;` tab or
spaces between values. JSON: `[[...], ...]`, `{"sequence": [[...], ...]}` or a flat
`[1, 2, 3]` (one feature). JSON Lines: one step per line, `[...]` or `{"x": [...]}`.
Every error names the file, line and column of the bad value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from itertools import chain
from pathlib import PurePath
from typing import Any, NamedTuple

import numpy as np

from rnncli.activations import FloatArray
from rnncli.decimal_numbers import NON_FINITE, decimal
from rnncli.errors import RnnCliError, line_column, located
from rnncli.files import (
    MAX_SEQUENCE_BYTES,
    STDIN,
    decode_text,
    decode_utf8,
    read_bytes,
    source_name,
    stream_lines,
)
from rnncli.message_words import counted, shown
from rnncli.network import Network
from rnncli.option_values import InputFormat

_EXTENSIONS = {
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.TSV,
    ".tab": InputFormat.TSV,
    ".json": InputFormat.JSON,
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
}


class Sequence(NamedTuple):
    """A sequence of T steps of I features, and where it came from."""

    X: FloatArray  # T x I
    source: str
    columns: tuple[str, ...] | None = None  # the header's names, where there was one
    id: str | int | None = None  # its name in a batch of sequences

    @property
    def features(self) -> int:
        return int(self.X.shape[1])


class Batch(NamedTuple):
    """The sequences of one input; `batched` when it was written as several (even one)."""

    sequences: list[Sequence]
    batched: bool


def read_sequence(path: str, input_format: InputFormat | None = None) -> Sequence:
    """Read the one sequence at `path` (`-` for standard input); see read_batch."""
    batch = read_batch(path, input_format)
    if batch.batched:
        raise RnnCliError(f"{batch.sequences[0].source}: holds several sequences, not one")
    return batch.sequences[0]


def read_batch(
    path: str, input_format: InputFormat | None = None, group_by: str | None = None
) -> Batch:
    """Read the sequence or sequences at `path` (`-` for standard input).

    Without `input_format` the file name's extension decides; failing that, the content
    (JSON starts with `[` or `{`, anything else is read as delimited text). `group_by`
    names the CSV column whose values split the rows into sequences.
    """
    source = source_name(path)
    text = decode_text(read_bytes(path, "sequence", MAX_SEQUENCE_BYTES), source)
    return parse_batch(text, source, format_of(path, input_format), group_by)


def format_of(path: str, input_format: InputFormat | None) -> InputFormat | None:
    """The format given, or else the file name's extension's; None: the content decides."""
    if input_format is None and path != STDIN:
        return _EXTENSIONS.get(PurePath(path).suffix.lower())
    return input_format


def parse_sequence(text: str, source: str, input_format: InputFormat | None = None) -> Sequence:
    """The one sequence in `text`; `source` names it in messages."""
    batch = parse_batch(text, source, input_format)
    if batch.batched:
        raise RnnCliError(f"{source}: holds several sequences, not one")
    return batch.sequences[0]


def parse_batch(
    text: str, source: str, input_format: InputFormat | None = None, group_by: str | None = None
) -> Batch:
    """The sequences in `text`: one, a JSON {"sequences": ...}, or CSV rows grouped by a
    column."""
    if input_format is None:
        input_format = _sniff(text)
    if group_by is not None and input_format in (InputFormat.JSON, InputFormat.JSONL):
        raise RnnCliError(f'{source}: --group-by is for CSV and TSV; JSON says "sequences"')
    if input_format is InputFormat.JSON:
        return _parse_json(text, source)
    if input_format is InputFormat.JSONL:
        return Batch([_parse_jsonl(text, source)], batched=False)
    return _parse_delimited(text, source, input_format is InputFormat.TSV, group_by)


def check_fits(sequence: Sequence, net: Network, config_source: str | None) -> None:
    """Refuse a sequence whose width is not the network's input size I, saying both.

    `config_source` names the config the network came from; None is the built-in one.
    """
    width, I = sequence.features, net.input_size
    if width == I:
        return
    H = net.hidden_size
    if config_source is None:
        network, hint = "the built-in textbook network", "; give your network with --config"
    else:
        network, hint = f"the network in {config_source}", ""
        if width == H:
            hint = (
                "; transposed? W_xh must be H x I (hidden x input), "
                "and a Keras kernel is stored as input x hidden"
            )
    raise RnnCliError(
        f"{sequence.source}: has {counted(width, 'feature')} per step "
        f"but {network} takes {I} (W_xh is {H}x{I}){hint}"
    )


def _sniff(text: str) -> InputFormat:
    """JSON starts with `[` or `{`; JSON Lines too, with a whole value on its first line."""
    lines = (line.strip() for line in text.splitlines())
    first = next((line for line in lines if line and not line.startswith("#")), "")
    if not first or first[0] not in "[{":
        return InputFormat.CSV
    second = next((line for line in lines if line), "")
    if second[:1] in ("[", "{") and _is_json(first):
        return InputFormat.JSONL
    return InputFormat.JSON


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


# -- delimited text -------------------------------------------------------------------

_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+(?:[eE][+-]?\d+)?", re.ASCII)


def _parse_delimited(text: str, source: str, tab_only: bool, group_by: str | None) -> Batch:
    reader = DelimitedReader(source, tab_only, group_by)
    X, keys = reader.read(_lines(text), first_line=1)
    reader.finish()
    header, group_column = reader.header, reader.group_column
    if group_column is None:
        return Batch([Sequence(X=X, source=source, columns=header)], batched=False)
    columns = None if header is None else header[:group_column] + header[group_column + 1 :]
    groups: dict[str, list[int]] = {}
    for row, key in enumerate(keys):
        groups.setdefault(key, []).append(row)  # in the order each first appears
    return Batch(
        [
            Sequence(X=X[rows_of], source=source, columns=columns, id=key)
            for key, rows_of in groups.items()
        ],
        batched=True,
    )


def _lines(text: str) -> list[str]:
    """The lines of `text`, for LF, CRLF and CR endings alike."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


#: Characters a block of plain decimal numbers and delimiters is made of.
_PLAIN = re.compile(r"[^0-9eE+\-.,;\t \n]")


class DelimitedReader:
    """CSV / TSV rows -> numbers, a block of lines at a time, so a long file can be read
    in pieces: the first block settles the delimiter, the header and the width.

    A block of plain numbers goes through numpy's loadtxt; anything else (quotes,
    decimal commas, a bad value) through the line-by-line reader, which names the line
    and column of a bad value.
    """

    def __init__(self, source: str, tab_only: bool, group_by: str | None = None) -> None:
        self.source = source
        self.delimiter: str | None = "\t" if tab_only else None
        self.group_by = group_by
        self.header: tuple[str, ...] | None = None
        self.header_line = 0
        self.trailing_delimiter = False
        self.group_column: int | None = None
        self.width: int | None = None  # cells per row, the group column included
        self.rows_read = 0

    def read(self, lines: list[str], first_line: int) -> tuple[FloatArray, list[str]]:
        """The rows of these lines (line `first_line` first), and their group keys."""
        data = [
            (line_no, line)
            for line_no, line in enumerate(lines, start=first_line)
            if line.strip() and not line.lstrip().startswith("#")
        ]
        if data and self.width is None:
            self._first_row(*data[0])
            if self.header is not None and self.header_line == data[0][0]:
                data = data[1:]
        if not data:
            return np.empty((0, 0 if self.width is None else self._features())), []
        fast = self._plain(data)
        if fast is not None:
            self.rows_read += len(fast)
            return fast, []
        rows: list[list[float]] = []
        keys: list[str] = []
        for line_no, line in data:
            row, key = self._row(line_no, line, first=self.rows_read == 0)
            rows.append(row)
            if key is not None:
                keys.append(key)
            self.rows_read += 1
        return np.array(rows, dtype=np.float64).reshape(len(rows), self._features()), keys

    def finish(self) -> None:
        """Refuse a file that held no rows of numbers."""
        if self.rows_read == 0:
            what = "only a header" if self.header is not None else "no data rows"
            message = f"has {what}; expected one row of numbers per time step"
            raise RnnCliError(f"{self.source}: {message}")

    def _features(self) -> int:
        assert self.width is not None
        return self.width - (self.group_column is not None)

    def _first_row(self, line_no: int, line: str) -> None:
        """The delimiter, the header (a first row with no numbers) and the width."""
        if self.delimiter is None:
            self.delimiter = _delimiter_of(line)
        cells = _split(line, self.delimiter)
        # Excel and friends may end every line with a delimiter: an empty last column.
        self.trailing_delimiter = len(cells) > 1 and cells[-1][0] == ""
        if self.trailing_delimiter:
            cells.pop()
        if not any(_numeric(cell, self.delimiter) for cell, _ in cells):
            self.header, self.header_line = tuple(cell for cell, _ in cells), line_no
        if self.group_by is not None:
            self.group_column = _group_column(self.group_by, self.header, len(cells), self.source)
        self.width = len(cells)

    def _plain(self, data: list[tuple[int, str]]) -> FloatArray | None:
        """The block through loadtxt when it is nothing but decimal numbers, else None."""
        if self.group_column is not None or self.trailing_delimiter:
            return None
        lines = [line for _, line in data]
        if _PLAIN.search("\n".join(lines)):
            return None
        if self.delimiter == ";" and any("," in line for line in lines):
            return None  # decimal commas: the careful reader knows them
        delimiter = None if self.delimiter == " " else self.delimiter
        try:
            X = np.loadtxt(lines, delimiter=delimiter, dtype=np.float64, ndmin=2, comments=None)
        except ValueError:
            return None
        if X.shape[1] != self.width or not np.isfinite(X).all():
            return None
        return X

    def _row(self, line_no: int, line: str, first: bool) -> tuple[list[float], str | None]:
        assert self.delimiter is not None and self.width is not None
        cells = _split(line, self.delimiter)
        if self.trailing_delimiter and cells[-1][0] == "":
            cells.pop()
        if len(cells) != self.width:
            first_row = f"the header on line {self.header_line}" if self.header else "the first row"
            message = f"has {counted(len(cells), 'value')}, but {first_row} has {self.width}"
            raise RnnCliError(located(self.source, message, line_no))
        key = None if self.group_column is None else cells[self.group_column][0]
        row = [
            _cell_number(
                cell, self.delimiter, self.source, line_no, column, index, self.header, first
            )
            for index, (cell, column) in enumerate(cells)
            if index != self.group_column
        ]
        return row, key


def read_chunks(
    path: str, input_format: InputFormat | None, chunk_rows: int = 65_536
) -> Iterator[FloatArray]:
    """A CSV or TSV sequence as blocks of about `chunk_rows` rows, read as they are needed,
    so memory stays flat however long the file is. Errors name the line as read_batch's do.
    """
    source = source_name(path)
    tab_only = format_of(path, input_format) is InputFormat.TSV
    reader = DelimitedReader(source, tab_only)
    line_no = 1
    for data in stream_lines(path, "sequence", 1 << 16, chunk_rows * 32):
        text = decode_text(data, source) if line_no == 1 else decode_utf8(data, source, line_no)
        lines = _lines(text.removesuffix("\n").removesuffix("\r"))
        X, _ = reader.read(lines, line_no)
        line_no += len(lines)
        if len(X):
            yield X
    reader.finish()


def _group_column(name: str, header: tuple[str, ...] | None, width: int, source: str) -> int:
    """The index of the --group-by column: a header name, or a number counted from 1."""
    if header is not None and name in header:
        return header.index(name)
    if name.isdigit() and 1 <= int(name) <= width:
        return int(name) - 1
    known = f"; the columns are {', '.join(header)}" if header else ""
    raise RnnCliError(f"{source}: no column {shown(name)} to group by{known}")


def _delimiter_of(line: str) -> str:
    """The first data line decides: tab, then `;`, then `,`, else runs of spaces (" ")."""
    for candidate in ("\t", ";", ","):
        if candidate in line:
            return candidate
    return " "


def _split(line: str, delimiter: str) -> list[tuple[str, int]]:
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


def _numeric(cell: str, delimiter: str) -> bool:
    """A number, or NaN/Inf written as one: a header has none of these."""
    return _as_float(cell, delimiter) is not None or bool(NON_FINITE.fullmatch(cell))


def _as_float(cell: str, delimiter: str) -> float | None:
    value = decimal(cell)
    if value is not None:
        return value
    if delimiter == ";" and _DECIMAL_COMMA.fullmatch(cell):
        return float(cell.replace(",", "."))  # a decimal comma, as `;`-separated files use
    return None


def _cell_number(
    cell: str,
    delimiter: str,
    source: str,
    line: int,
    column: int,
    index: int,
    header: tuple[str, ...] | None,
    first_row: bool,
) -> float:
    value = _as_float(cell, delimiter)
    name = f"column {index + 1}" + (f" ({header[index]})" if header and header[index] else "")
    if value is not None and math.isfinite(value):
        return value
    if value is None and not NON_FINITE.fullmatch(cell):
        got = "an empty cell" if cell == "" else shown(cell)
        message = f"{name}: expected a number, got {got}"
        if header is None and first_row:
            message += " (a header row names every column and holds no numbers)"
    else:
        message = f"{name}: {shown(cell)} is not a finite number; every value must be one"
    raise RnnCliError(located(source, message, line, column))


# -- JSON -----------------------------------------------------------------------------


class _NonFinite(ValueError):
    """NaN, Infinity (JSON's non-standard constants) or a number too large for a float."""


class _DuplicateKey(ValueError):
    """A key given twice in one JSON object (json.loads would keep the last)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


def _finite_float(text: str) -> float:
    """Every JSON number as a float (no int() with its digit limit); refuse what overflows."""
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


# The quick readers' decoder: every number read by float() inside the json module.
_QUICK_JSON = json.JSONDecoder(
    parse_int=float, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys
)


def _load_json(text: str, source: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_finite_float,
            object_pairs_hook=_unique_keys,
        )
    except _DuplicateKey as error:
        key = json.dumps(str(error))
        line, column = line_column(text, text.rfind(key))
        message = f"the key {key} appears twice; give each key once"
        raise RnnCliError(located(source, message, line + line_offset, column)) from None
    except _NonFinite as error:
        line, column = line_column(text, text.find(str(error)))
        message = f"{shown(str(error))} is not a finite number; every value must be one"
        raise RnnCliError(located(source, message, line + line_offset, column)) from None
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg}"
        raise RnnCliError(
            located(source, message, error.lineno + line_offset, error.colno)
        ) from None
    except RecursionError:
        raise RnnCliError(f"{source}: not a sequence: nested too deeply") from None


def _parse_json(text: str, source: str) -> Batch:
    quick = _quick_json_batch(text, source)
    return quick if quick is not None else _careful_json_batch(text, source)


def _careful_json_batch(text: str, source: str) -> Batch:
    """The sequences of a JSON input, each value checked in Python: every error names
    the line and column of what is wrong."""
    document = _load_json(text, source)
    place = _JsonPlace(text, source)
    if isinstance(document, dict) and "sequences" in document:
        if set(document) != {"sequences"}:
            extra = sorted(set(document) - {"sequences"})[0]
            raise place.error((), f'unknown key {extra!r} beside "sequences"')
        return _json_batch(document["sequences"], place)
    path: tuple[int | str, ...] = ()
    if isinstance(document, dict):
        if set(document) != {"sequence"}:
            extra = sorted(set(document) - {"sequence"})
            problem = f"unknown key {extra[0]!r}" if extra else 'no key "sequence"'
            raise place.error((), f'{problem}; expected {{"sequence": [[...], ...]}}')
        document, path = document["sequence"], ("sequence",)
    X = np.array(_json_steps(document, path, place), dtype=np.float64)
    return Batch([Sequence(X=X, source=source)], batched=False)


def _quick_json_batch(text: str, source: str) -> Batch | None:
    """The sequences of a well-formed JSON input, read at C speed, or None for anything
    else, which the careful reader then reads again to say what is wrong and where.

    Here every number is read by float() inside the json module (so `-0` stays -0.0 and
    no integer has a digit limit); a value that is not a finite number, a ragged or
    empty sequence, a duplicate key or an unknown key all give None.
    """
    try:
        document = _QUICK_JSON.decode(text)
    except (ValueError, _DuplicateKey, _NonFinite, RecursionError):
        return None
    if type(document) is dict and set(document) == {"sequences"}:
        items = _sequence_items(document["sequences"])
        if items is None:
            return None
        batch: list[Sequence] = []
        for key, steps in items:
            X = _quick_json_matrix(steps)
            if X is None or (batch and X.shape[1] != batch[0].features):
                return None
            batch.append(Sequence(X, source, id=key))
        return Batch(batch, batched=True) if batch else None
    if type(document) is dict and set(document) == {"sequence"}:
        document = document["sequence"]
    X = _quick_json_matrix(document)
    return None if X is None else Batch([Sequence(X, source)], batched=False)


def _quick_json_matrix(steps: Any) -> FloatArray | None:
    """A list of steps (lists of floats, or floats for one feature) as T x I, or None."""
    if type(steps) is not list or not steps:
        return None
    if type(steps[0]) is list:
        if set(map(type, steps)) != {list} or set(map(type, chain(*steps))) != {float}:
            return None
        try:
            X = np.array(steps, dtype=np.float64)  # a ragged list of steps raises
        except ValueError:
            return None
        if X.ndim != 2 or X.shape[1] == 0:
            return None
    elif set(map(type, steps)) == {float}:
        X = np.array(steps, dtype=np.float64)[:, np.newaxis]
    else:
        return None
    return X if np.isfinite(X).all() else None


def _sequence_items(sequences: Any) -> list[tuple[str | int, Any]] | None:
    """The (id, sequence) pairs of a "sequences" value: an object's keys, or 1, 2, ...
    for a list; None for anything else."""
    if isinstance(sequences, dict):
        return list(sequences.items())
    if isinstance(sequences, list):
        return list(enumerate(sequences, start=1))
    return None


def _json_batch(sequences: Any, place: _JsonPlace) -> Batch:
    """{"sequences": [seq, ...]} (ids 1, 2, ...) or {"sequences": {"id": seq, ...}}."""
    at: tuple[int | str, ...] = ("sequences",)
    items = _sequence_items(sequences)
    if items is None:
        raise place.error(
            at, f"expected a list or an object of sequences, got {_json_kind(sequences)}"
        )
    if not items:
        raise place.error(at, "holds no sequences")
    batch: list[Sequence] = []
    for key, document in items:
        path = (*at, key if isinstance(key, str) else key - 1)
        X = np.array(_json_steps(document, path, place), dtype=np.float64)
        if batch and X.shape[1] != batch[0].X.shape[1]:
            width, first = counted(X.shape[1], "feature"), batch[0].X.shape[1]
            raise place.error(path, f"sequence {key!r} has {width}, the first has {first}")
        batch.append(Sequence(X=X, source=place.source, id=key))
    return Batch(batch, batched=True)


def _json_steps(document: Any, path: tuple[int | str, ...], place: _JsonPlace) -> list[list[float]]:
    """The rows of one sequence: a list of steps, each a list of numbers (or a number)."""
    if not isinstance(document, list):
        raise place.error(path, f"expected a list of steps, got {_json_kind(document)}")
    if not document:
        raise place.error(path, "the sequence is empty; expected at least one step")
    if not isinstance(document[0], list):
        # A flat list: a sequence of scalars, one feature (I = 1).
        return [
            [_json_number(v, (*path, t), place, f"step {t + 1}")] for t, v in enumerate(document)
        ]
    rows: list[list[float]] = []
    for t, step in enumerate(document):
        row = _json_row(step, (*path, t), place, t + 1)
        if rows and len(row) != len(rows[0]):
            message = f"step {t + 1} has {counted(len(row), 'value')}, step 1 has {len(rows[0])}"
            raise place.error((*path, t), message)
        rows.append(row)
    return rows


class _JsonPlace(NamedTuple):
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
    return float(value)


def _parse_jsonl(text: str, source: str) -> Sequence:
    quick = _quick_jsonl(text, source)
    return quick if quick is not None else _careful_jsonl(text, source)


def _quick_jsonl(text: str, source: str) -> Sequence | None:
    """JSON Lines read as _quick_json_batch reads JSON: at C speed, or None."""
    decode, steps = _QUICK_JSON.decode, []
    try:
        for line in text.split("\n"):
            if line and not line.isspace():
                step = decode(line)
                if type(step) is dict:  # {"x": [...]}; any other object is refused below
                    step = step["x"] if set(step) == {"x"} else None
                steps.append(step if type(step) is list else [step])
    except (ValueError, _DuplicateKey, _NonFinite, RecursionError):
        return None
    X = _quick_json_matrix(steps)
    return None if X is None else Sequence(X, source)


def _careful_jsonl(text: str, source: str) -> Sequence:
    """JSON Lines, each value checked in Python: every error names its line and column."""
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
            return line_column(text, start)
        if punctuation == "[":
            frames.append(["[", 0, False])
        elif punctuation == "{":
            frames.append(["{", None, True])
    return 1, 1
