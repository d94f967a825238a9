"""CSV and TSV -> the sequence X: one row per step, one column per feature, an optional
header (a first row that is not all numbers), `#` comment lines and blank lines skipped,
`,` `;` tab or spaces between values, and --group-by's column splitting the rows into
sequences. A long file can be read in blocks (read_chunks), in flat memory. Every error
names the file, line and column of the bad value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np

from rnncli.column_choice import Chosen, ColumnChoice, Kept, choose
from rnncli.errors import RnnCliError, located
from rnncli.io.delimited_cells import cell_number, delimiter_of, numeric, split
from rnncli.io.files import decode_text, decode_utf8, source_name, stream_lines
from rnncli.io.input_batch import Batch, Float64Array, Sequence
from rnncli.message_words import counted, shown
from rnncli.option_values import InputFormat
from rnncli.printable import printable


def read_delimited(
    text: str,
    source: str,
    tab_only: bool,
    group_by: str | None,
    choice: ColumnChoice | None = None,
) -> Batch:
    """The sequence in CSV or TSV `text`, or its sequences split by the `group_by` column;
    `choice` picks the feature and kept columns."""
    reader = DelimitedReader(source, tab_only, group_by, choice)
    X, keys, kept = reader.read(_lines(text), first_line=1)
    reader.finish()
    if reader.group_column is None:
        return Batch([reader.sequence(X, kept)], batched=False)
    groups: dict[str, list[int]] = {}
    for row, key in enumerate(keys):
        groups.setdefault(key, []).append(row)  # in the order each first appears
    return Batch(
        [
            reader.sequence(X[rows_of], [kept[row] for row in rows_of] if kept else [], key)
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

    def __init__(
        self,
        source: str,
        tab_only: bool,
        group_by: str | None = None,
        choice: ColumnChoice | None = None,
    ) -> None:
        self.source = source
        self.delimiter: str | None = "\t" if tab_only else None
        self.group_by = group_by
        self.choice = choice
        self.chosen = Chosen((), ())
        self.header: tuple[str, ...] | None = None
        self.header_line = 0
        self.trailing_delimiter = False
        self.group_column: int | None = None
        self.width: int | None = None  # cells per row, the group column included
        self.rows_read = 0

    def read(
        self, lines: list[str], first_line: int
    ) -> tuple[Float64Array, list[str], list[tuple[str, ...]]]:
        """The rows of these lines (line `first_line` first), their group keys and their
        kept cells."""
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
            return np.empty((0, len(self.chosen.features))), [], []
        fast = self._plain(data)
        if fast is not None:
            self.rows_read += len(fast)
            return fast, [], []
        rows: list[list[float]] = []
        keys: list[str] = []
        kept: list[tuple[str, ...]] = []
        for line_no, line in data:
            row, key, kept_cells = self._row(line_no, line, first=self.rows_read == 0)
            rows.append(row)
            if key is not None:
                keys.append(key)
            if self.chosen.kept:
                kept.append(kept_cells)
            self.rows_read += 1
        X = np.array(rows, dtype=np.float64).reshape(len(rows), len(self.chosen.features))
        return X, keys, kept

    def sequence(
        self, X: Float64Array, kept: list[tuple[str, ...]], key: str | None = None
    ) -> Sequence:
        """A Sequence of rows read here: the features' names and the kept cells with it."""
        header, chosen = self.header, self.chosen
        columns = None if header is None else tuple(header[k] for k in chosen.features)
        kept_columns = None
        if chosen.kept:
            names = tuple(header[k] if header else f"column{k + 1}" for k in chosen.kept)
            kept_columns = Kept(names, kept)
        return Sequence(X=X, source=self.source, columns=columns, id=key, kept=kept_columns)

    def finish(self) -> None:
        """Refuse a file that held no rows of numbers."""
        if self.rows_read == 0:
            what = "only a header" if self.header is not None else "no data rows"
            message = f"has {what}; expected one row of numbers per time step"
            raise RnnCliError(f"{self.source}: {message}")

    def _first_row(self, line_no: int, line: str) -> None:
        """The delimiter, the header (a first row with no numbers) and the width."""
        if self.delimiter is None:
            self.delimiter = delimiter_of(line)
        cells = split(line, self.delimiter)
        # Excel and friends may end every line with a delimiter: an empty last column.
        self.trailing_delimiter = len(cells) > 1 and cells[-1][0] == ""
        if self.trailing_delimiter:
            cells.pop()
        if not any(numeric(cell, self.delimiter) for cell, _ in cells):
            self.header, self.header_line = tuple(cell for cell, _ in cells), line_no
        if self.group_by is not None:
            self.group_column = _group_column(self.group_by, self.header, len(cells), self.source)
        self.width = len(cells)
        self.chosen = choose(self.choice, self.header, self.width, self.source, self.group_column)

    def _plain(self, data: list[tuple[int, str]]) -> Float64Array | None:
        """The block through loadtxt when it is nothing but decimal numbers, else None."""
        if self.group_column is not None or self.trailing_delimiter or self.chosen.kept:
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
        if X.shape[1] != self.width:
            return None
        if len(self.chosen.features) != self.width:
            X = X[:, self.chosen.features]
        return X if np.isfinite(X).all() else None

    def _row(
        self, line_no: int, line: str, first: bool
    ) -> tuple[list[float], str | None, tuple[str, ...]]:
        assert self.delimiter is not None and self.width is not None
        cells = split(line, self.delimiter)
        if self.trailing_delimiter and cells[-1][0] == "":
            cells.pop()
        if len(cells) != self.width:
            first_row = f"the header on line {self.header_line}" if self.header else "the first row"
            message = f"has {counted(len(cells), 'value')}, but {first_row} has {self.width}"
            raise RnnCliError(located(self.source, message, line_no))
        key = None if self.group_column is None else cells[self.group_column][0]
        row = [
            cell_number(cell, self.delimiter, self.source, line_no, column, k, self.header, first)
            for k in self.chosen.features
            for cell, column in (cells[k],)
        ]
        return row, key, tuple(cells[index][0] for index in self.chosen.kept)


def read_chunks(
    path: str,
    input_format: InputFormat | None,
    chunk_rows: int = 65_536,
    choice: ColumnChoice | None = None,
) -> Iterator[Sequence]:
    """A CSV or TSV sequence as blocks of about `chunk_rows` rows, read as they are needed,
    so memory stays flat however long the file is. Errors name the line as read_batch's do.
    `input_format` is the one sequence.format_of decided (TSV: tabs only).
    """
    source = source_name(path)
    reader = DelimitedReader(source, input_format is InputFormat.TSV, choice=choice)
    line_no = 1
    for data in stream_lines(path, "sequence", 1 << 16, chunk_rows * 32):
        text = decode_text(data, source) if line_no == 1 else decode_utf8(data, source, line_no)
        lines = _lines(text.removesuffix("\n").removesuffix("\r"))
        X, _, kept = reader.read(lines, line_no)
        line_no += len(lines)
        if len(X):
            yield reader.sequence(X, kept)
    reader.finish()


def _group_column(name: str, header: tuple[str, ...] | None, width: int, source: str) -> int:
    """The index of the --group-by column: a header name, or a number counted from 1."""
    if header is not None and name in header:
        return header.index(name)
    if name.isdigit() and 1 <= int(name) <= width:
        return int(name) - 1
    known = f"; the columns are {', '.join(map(printable, header))}" if header else ""
    raise RnnCliError(f"{source}: no column {shown(name)} to group by{known}")
