"""The options several commands share, each defined once: what it takes, its metavar
and its help panel.

Annotations here are evaluated at import (no `from __future__ import annotations`), so
Typer reads them once instead of parsing strings at every start.
"""

from typing import Annotated

import typer

from rnncli.commands.help_format import INPUT, NETWORK, OUTPUT
from rnncli.option_values import Dtype, InputFormat, OutputFormat
from rnncli.printable import printable


def warn(message: str) -> None:
    """A warning line on stderr, every character of it printable (rnncli.printable)."""
    typer.echo(printable(message, backslash=False), err=True)


SequenceArgument = Annotated[
    str,
    typer.Argument(
        help="The sequence: a CSV, TSV or JSON file, one row per time step; - reads stdin.",
        metavar="SEQUENCE",
        show_default=False,
        rich_help_panel=INPUT,
    ),
]
ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        help="The network's YAML config (- reads stdin). "
        "Without it, the textbook's built-in 5 → 2 network.",
        metavar="FILE",
        show_default=False,
        rich_help_panel=NETWORK,
    ),
]
InputFormatOption = Annotated[
    InputFormat | None,
    typer.Option(
        "--input-format",
        help="csv, tsv, json or jsonl: how SEQUENCE is written, where its name cannot "
        "tell (stdin).",
        metavar="FORMAT",
        show_default=False,
        rich_help_panel=INPUT,
    ),
]
H0Option = Annotated[
    str | None,
    typer.Option(
        "--h0",
        help="The initial state h_0 as 'v1,v2,...' or a --save-state FILE "
        "(overrides the config's h0).",
        metavar="VALUES|FILE",
        show_default=False,
        rich_help_panel=NETWORK,
    ),
]
DtypeOption = Annotated[
    Dtype,
    typer.Option(
        "--dtype",
        help="float64 or float32; float32 matches PyTorch and ONNX Runtime.",
        metavar="DTYPE",
        rich_help_panel=NETWORK,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="auto, table, csv, tsv, json or jsonl; markdown, latex, html or svg for notes "
        "and slides; auto: the table on a terminal, csv in a pipe or file.",
        metavar="FORMAT",
        rich_help_panel=OUTPUT,
    ),
]
NoHeaderOption = Annotated[
    bool,
    typer.Option("--no-header", help="csv / tsv without the header line.", rich_help_panel=OUTPUT),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (complete or not at all) instead of stdout.",
        metavar="FILE",
        show_default=False,
        rich_help_panel=OUTPUT,
    ),
]
PrecisionOption = Annotated[
    int,
    typer.Option(
        "--precision",
        "-p",
        min=0,
        max=17,
        help="Decimals in the table.",
        metavar="N",
        rich_help_panel=OUTPUT,
    ),
]
