"""The command line: options in, the core called, errors turned into exit codes.

numpy, PyYAML and rich are imported inside the commands, so --help and --version
do not pay for them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from rnncli import __version__
from rnncli.choices import InputFormat, Mode, OutputFormat
from rnncli.errors import EXIT_OK, RnnCliError

if TYPE_CHECKING:
    from rnncli.rnn import Forward

app = typer.Typer(
    name="rnncli",
    help="A calculator for the forward pass of a recurrent neural network.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"rnncli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", callback=_show_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """A calculator for the forward pass of a recurrent neural network.

    Give it a sequence (CSV, TSV or JSON) and a YAML config with the weights; it runs
    the same weights over every time step and shows x_t, h_t and o_t.
    """


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Bad input ends in one line on stderr and its exit code; a closed pipe ends quietly."""
    try:
        yield
    except RnnCliError as error:
        typer.echo(f"rnncli: error: {error.message}", err=True)
        raise typer.Exit(error.exit_code) from None
    except BrokenPipeError:
        # The reader went away (`| head`): send what is left to nowhere and stop.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None


def _parse_h0(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(value) for value in text.replace(";", ",").split(",")]
    except ValueError:
        raise typer.BadParameter(
            f"expected numbers separated by commas, like 0.5,-0.1; got {text!r}"
        ) from None


FORWARD_EPILOG = """\
Example: the textbook's network (built in) over its three steps:

    $ rnncli forward samples/sample.csv
    $ rnncli forward samples/sample.csv -f json
    $ rnncli forward samples/weather.csv -c configs/weather.yaml -m many-to-one
"""


@app.command(epilog=FORWARD_EPILOG)
def forward(
    sequence: Annotated[
        str,
        typer.Argument(
            help="The sequence: a CSV, TSV or JSON file, one row per time step; - reads stdin.",
            metavar="SEQUENCE",
            show_default=False,
        ),
    ],
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            "-c",
            help="The network's YAML config (- reads stdin). "
            "Without it, the textbook's built-in 5 → 2 network.",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[
        Mode,
        typer.Option("--mode", "-m", help="An output at every step, or one at t = T."),
    ] = Mode.MANY_TO_MANY,
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="auto: the table on a terminal, csv in a pipe or file.",
        ),
    ] = OutputFormat.AUTO,
    json_output: Annotated[
        bool, typer.Option("--json", help="Short for --format json.", show_default=False)
    ] = False,
    no_header: Annotated[
        bool, typer.Option("--no-header", help="csv / tsv without the header line.")
    ] = False,
    input_format: Annotated[
        InputFormat | None,
        typer.Option(
            "--input-format",
            help="How SEQUENCE is written, where its name cannot tell (stdin).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (complete or not at all) instead of stdout.",
            show_default=False,
        ),
    ] = None,
    h0: Annotated[
        str | None,
        typer.Option(
            "--h0",
            help="The initial state h_0 as 'v1,v2,...' (overrides the config's h0).",
            show_default=False,
        ),
    ] = None,
    precision: Annotated[
        int,
        typer.Option("--precision", "-p", min=0, max=17, help="Decimals in the table."),
    ] = 4,
) -> None:
    """Run the RNN over every step of SEQUENCE and show x_t, h_t and o_t.

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh,  h_t = f(z_t),  o_t = g(W_ho h_t + b_o)
    """
    if json_output:
        if output_format not in (OutputFormat.AUTO, OutputFormat.JSON):
            raise typer.BadParameter(f"--json and --format {output_format} disagree")
        output_format = OutputFormat.JSON
    initial = _parse_h0(h0)
    with _reported_errors():
        import numpy as np

        from rnncli.config import default_network, load_config
        from rnncli.files import output_stream
        from rnncli.rnn import forward as run
        from rnncli.sequence import check_fits, read_sequence

        if config == "-" and sequence == "-":
            raise RnnCliError("the sequence and the config cannot both be read from stdin (-)")
        net = default_network() if config is None else load_config(config)
        if initial is not None and len(initial) != net.hidden_size:
            raise typer.BadParameter(
                f"has {len(initial)} values; the network has {net.hidden_size} hidden units",
                param_hint="'--h0'",
            )
        seq = read_sequence(sequence, input_format)
        check_fits(seq, net)
        result = run(net, seq.X, None if initial is None else np.array(initial), mode)
        _warn_if_not_finite(result)
        to_terminal = output is None and sys.stdout.isatty()
        chosen = output_format.resolved(to_terminal)
        with output_stream(output) as out:
            if chosen is OutputFormat.TABLE:
                from rich.console import Console

                from rnncli.render import forward_table

                # On a terminal rich fits the table to the window; elsewhere nothing wraps.
                console = Console(file=out) if to_terminal else Console(file=out, width=100_000)
                console.print(forward_table(result, net, precision))
            else:
                from rnncli.formats import write

                write(result, net, chosen, out, header=not no_header)


def _warn_if_not_finite(result: Forward) -> None:
    from rnncli.rnn import first_non_finite

    where = first_non_finite(result)
    if where is not None:
        name, t, unit = where
        typer.echo(
            f"rnncli: warning: {name}_t overflowed to inf or nan at t = {t} (unit {unit}); "
            "the weights or inputs are too large for this activation",
            err=True,
        )


def main() -> None:
    """The `rnncli` command."""
    app(prog_name="rnncli")
