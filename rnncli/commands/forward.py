"""`rnncli forward`: its options, and the request they make for the forward pipeline."""

import sys
from typing import Annotated

import typer

from rnncli.commands.help_format import CHECK, EXPLAIN, INPUT, MODE, OUTPUT, examples
from rnncli.commands.options import (
    ConfigOption,
    DtypeOption,
    FormatOption,
    H0Option,
    InputFormatOption,
    NoHeaderOption,
    OutputOption,
    SequenceArgument,
    warn,
)
from rnncli.option_values import Dtype, Mode, OutputFormat

EPILOG = examples(
    "Examples: the textbook's network (built in) over its three steps, then the weather"
    " network; `rnncli samples --copy` puts samples/ and configs/ in the current folder.",
    "rnncli samples --copy",
    "rnncli forward samples/sample.csv",
    "rnncli forward samples/sample.csv -f json",
    "rnncli forward samples/weather.csv -c configs/weather.yaml -m many-to-one",
    "rnncli samples sample.csv | rnncli forward -",
)
SHORT_HELP = "Run the network over a sequence: x_t, h_t and o_t."


def forward(
    sequence: SequenceArgument,
    config: ConfigOption = None,
    mode: Annotated[
        Mode,
        typer.Option(
            "--mode",
            "-m",
            help="many-to-many (an output at every step), many-to-one (one at t = T), "
            "one-to-many (x_1, then --steps outputs) or many-to-many-delayed "
            "(read x_1..x_T, then --steps outputs).",
            metavar="MODE",
            rich_help_panel=MODE,
        ),
    ] = Mode.MANY_TO_MANY,
    output_format: FormatOption = OutputFormat.AUTO,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Short for --format json.", show_default=False, rich_help_panel=OUTPUT
        ),
    ] = False,
    no_header: NoHeaderOption = False,
    input_format: InputFormatOption = None,
    output: OutputOption = None,
    h0: H0Option = None,
    precision: Annotated[
        int | None,
        typer.Option(
            "--precision",
            "-p",
            min=0,
            max=17,
            help="Decimals in the table (4 without -p). Given, csv, tsv, json and jsonl "
            "numbers are rounded to N decimals too; without it they are exact.",
            metavar="N",
            show_default=False,
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Every term of every step: W_xh x_t, b_xh, W_hh h_{t-1}, b_hh, z_t, ...",
            rich_help_panel=EXPLAIN,
        ),
    ] = False,
    all_rows: Annotated[
        bool,
        typer.Option(
            "--all", help="Every row of a long table on a terminal.", rich_help_panel=OUTPUT
        ),
    ] = False,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            "-n",
            min=1,
            help="Steps to run: one-to-many's outputs, or many-to-many-delayed's after T.",
            metavar="N",
            show_default=False,
            rich_help_panel=MODE,
        ),
    ] = None,
    feedback: Annotated[
        bool,
        typer.Option(
            "--feedback",
            help="one-to-many: x_t = o_{t-1} after the first.",
            rich_help_panel=MODE,
        ),
    ] = False,
    dtype: DtypeOption = Dtype.FLOAT64,
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            help="CSV: the column (a header name, or a number from 1) whose values split "
            "the rows into sequences (a batch).",
            metavar="COLUMN",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ] = None,
    save_state: Annotated[
        str | None,
        typer.Option(
            "--save-state",
            help="Write the final state of every layer to FILE; --h0 FILE reads it back.",
            metavar="FILE",
            show_default=False,
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="The feature columns, in order: header names or numbers from 1 (a,b,...).",
            metavar="COLUMNS",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ] = None,
    drop: Annotated[
        list[str] | None,
        typer.Option(
            "--drop",
            help="Leave these columns out (repeat it, or a,b,...).",
            metavar="COLUMNS",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option(
            "--keep",
            help="Copy these columns (a timestamp, an id) into every output row, not as features.",
            metavar="COLUMNS",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ] = None,
    standardize: Annotated[
        bool,
        typer.Option(
            "--standardize",
            help="Scale each feature to mean 0, std 1 over the sequence before W_xh "
            "(mean and std go to stderr, and into the file of --save-state).",
            rich_help_panel=INPUT,
        ),
    ] = False,
    last: Annotated[
        bool,
        typer.Option(
            "--last",
            "--outputs-only",
            help="Write only the steps that make an output (many-to-one: t = T).",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="Compare the run with REF (csv/tsv/json: columns t, x1.., h1.., o1..); "
            "exit 1 where they disagree.",
            metavar="REF",
            show_default=False,
            rich_help_panel=CHECK,
        ),
    ] = None,
    atol: Annotated[
        float | None,
        typer.Option(
            "--atol",
            min=0.0,
            help="--expect's absolute tolerance.",
            metavar="A",
            show_default="1e-6",
            rich_help_panel=CHECK,
        ),
    ] = None,
    hand_step: Annotated[
        int | None,
        typer.Option(
            "--hand-step",
            min=1,
            help="The step --explain writes out by hand (1 without it; 2 shows W_hh h_1).",
            metavar="T",
            show_default=False,
            rich_help_panel=EXPLAIN,
        ),
    ] = None,
    no_title: Annotated[
        bool,
        typer.Option(
            "--no-title",
            help="Leave out the title line (table, markdown, latex, html, svg).",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
    no_sparklines: Annotated[
        bool,
        typer.Option(
            "--no-sparklines",
            help="Leave out the sparklines (table, markdown, html, svg).",
            rich_help_panel=OUTPUT,
        ),
    ] = False,
    rtol: Annotated[
        float | None,
        typer.Option(
            "--rtol",
            min=0.0,
            help="--expect's relative tolerance.",
            metavar="R",
            show_default="0",
            rich_help_panel=CHECK,
        ),
    ] = None,
) -> None:
    """Run the RNN over every step of SEQUENCE and show x_t, h_t and o_t.

    \b
    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh,  h_t = f(z_t),  o_t = g(W_ho h_t + b_o)
    """
    if json_output:
        if output_format not in (OutputFormat.AUTO, OutputFormat.JSON):
            raise typer.BadParameter(f"--json and --format {output_format} disagree")
        output_format = OutputFormat.JSON
    from rnncli.column_choice import ColumnChoice, option_names
    from rnncli.pipelines.forward import run_forward
    from rnncli.pipelines.forward_request import ForwardRequest

    request = ForwardRequest(
        sequence=sequence,
        config=config,
        mode=mode,
        output_format=output_format,
        no_header=no_header,
        input_format=input_format,
        output=output,
        h0=h0,
        precision=precision,
        explain=explain,
        all_rows=all_rows,
        steps=steps,
        feedback=feedback,
        dtype=dtype,
        group_by=group_by,
        save_state=save_state,
        standardize=standardize,
        last=last,
        expect=expect,
        atol=atol,
        rtol=rtol,
        choice=ColumnChoice(
            None if columns is None else option_names([columns]),
            option_names(drop),
            option_names(keep),
        ),
        hand_step=hand_step,
        no_title=no_title,
        no_sparklines=no_sparklines,
    )
    run_forward(request, sys.stdout.isatty(), warn)
