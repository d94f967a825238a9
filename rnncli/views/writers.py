"""A forward pass written for programs: csv, tsv, json or jsonl (never through rich)."""

from __future__ import annotations

from typing import TextIO

from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.option_values import OutputFormat
from rnncli.views.delimited import write_delimited
from rnncli.views.json import write_json, write_jsonl

DELIMITERS = {OutputFormat.CSV: ",", OutputFormat.TSV: "\t"}


def write(
    runs: list[Run],
    net: Network,
    output_format: OutputFormat,
    out: TextIO,
    header: bool = True,
    batched: bool = False,
) -> None:
    """Write every run to `out` in a machine format (header: csv and tsv only).

    A batch names each sequence: a "seq" column or key first, and in JSON one entry of
    "sequences" each. An explained run's steps also carry their terms.
    """
    if output_format in DELIMITERS:
        write_delimited(runs, net, out, DELIMITERS[output_format], header, batched)
    elif output_format is OutputFormat.JSON:
        write_json(runs, net, out, batched)
    elif output_format is OutputFormat.JSONL:
        write_jsonl(runs, out, batched)
    else:
        raise ValueError(f"{output_format} is not a machine format")
