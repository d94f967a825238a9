"""Files and standard input -> the sequences to run: the input format decided once
(format_of: the option, else the file name's extension, else the content), and the text
handed to that format's reader (io.delimited, io.json, io.jsonl).
"""

from __future__ import annotations

import json
from pathlib import PurePath

from rnncli.column_choice import ColumnChoice
from rnncli.errors import RnnCliError
from rnncli.io.delimited import read_delimited
from rnncli.io.files import MAX_SEQUENCE_BYTES, STDIN, decode_text, read_bytes, source_name
from rnncli.io.input_batch import Batch, Sequence
from rnncli.io.json import read_json
from rnncli.io.jsonl import read_jsonl
from rnncli.io.parquet import read_parquet
from rnncli.option_values import InputFormat

_EXTENSIONS = {
    ".csv": InputFormat.CSV,
    ".tsv": InputFormat.TSV,
    ".tab": InputFormat.TSV,
    ".json": InputFormat.JSON,
    ".jsonl": InputFormat.JSONL,
    ".ndjson": InputFormat.JSONL,
    ".parquet": InputFormat.PARQUET,
}


def format_of(path: str, input_format: InputFormat | None) -> InputFormat | None:
    """The format given, or else the file name's extension's; None: the content decides."""
    if input_format is None and path != STDIN:
        return _EXTENSIONS.get(PurePath(path).suffix.lower())
    return input_format


def read_sequence(path: str, input_format: InputFormat | None = None) -> Sequence:
    """Read the one sequence at `path` (`-` for standard input) in the format given, or
    else its file name's extension's, or else its content's."""
    batch = read_batch(path, format_of(path, input_format))
    if batch.batched:
        raise RnnCliError(f"{batch.sequences[0].source}: holds several sequences, not one")
    return batch.sequences[0]


def read_batch(
    path: str,
    input_format: InputFormat | None,
    group_by: str | None = None,
    choice: ColumnChoice | None = None,
) -> Batch:
    """Read the sequence or sequences at `path` (`-` for standard input).

    `input_format` is the one format_of decided; None: the content decides (JSON starts
    with `[` or `{`, anything else is read as delimited text). `group_by` names the CSV
    column whose values split the rows into sequences; `choice` picks the columns.
    """
    source = source_name(path)
    parquet = input_format is InputFormat.PARQUET
    data = read_bytes(path, "sequence", MAX_SEQUENCE_BYTES, text=not parquet)
    if parquet:
        if group_by is not None:
            raise RnnCliError(f"{source}: --group-by is for CSV and TSV")
        return Batch([read_parquet(data, source, choice)], batched=False)
    return parse_batch(decode_text(data, source), source, input_format, group_by, choice)


def parse_sequence(text: str, source: str, input_format: InputFormat | None = None) -> Sequence:
    """The one sequence in `text`; `source` names it in messages."""
    batch = parse_batch(text, source, input_format)
    if batch.batched:
        raise RnnCliError(f"{source}: holds several sequences, not one")
    return batch.sequences[0]


def parse_batch(
    text: str,
    source: str,
    input_format: InputFormat | None = None,
    group_by: str | None = None,
    choice: ColumnChoice | None = None,
) -> Batch:
    """The sequences in `text`: one, a JSON {"sequences": ...}, or CSV rows grouped by a
    column."""
    if input_format is None:
        input_format = sniff_format(text)
    if input_format is InputFormat.PARQUET:
        raise RnnCliError(f"{source}: Parquet is binary; give it as a file")
    if group_by is not None and input_format in (InputFormat.JSON, InputFormat.JSONL):
        raise RnnCliError(f'{source}: --group-by is for CSV and TSV; JSON says "sequences"')
    if input_format is InputFormat.JSON:
        return read_json(text, source, choice)
    if input_format is InputFormat.JSONL:
        return Batch([read_jsonl(text, source, choice)], batched=False)
    return read_delimited(text, source, input_format is InputFormat.TSV, group_by, choice)


def sniff_format(text: str) -> InputFormat:
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
