"""The command line: the Typer app, its commands, and the one place an error becomes a
line on stderr and an exit code.

Each command is a module of its own (forward_command.py, ...) holding its options and a
few lines over its pipeline; the options they share are commands/options.py's. numpy, PyYAML
and rich are imported inside the commands, so --help and --version do not pay for them.
"""

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from rnncli import __version__
from rnncli.commands import backward as backward_command
from rnncli.commands import forward as forward_command
from rnncli.commands import init_weights as init_weights_command
from rnncli.commands import inspect as inspect_command
from rnncli.commands import models as model_commands
from rnncli.commands import plot as plot_command
from rnncli.commands.help_format import PanelledCommand
from rnncli.errors import EXIT_OK, RnnCliError
from rnncli.numeric_trouble import quiet_numpy
from rnncli.printable import printable

app = typer.Typer(
    name="rnncli",
    help="A calculator for recurrent neural networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help and usage errors: rich's help renderer alone costs more than all of typer.
    rich_markup_mode=None,
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
    """A calculator for recurrent neural networks.

    Give it a sequence (CSV, TSV or JSON) and a network (a YAML config); it runs the
    same weights over every time step and shows x_t, h_t and o_t, and backwards every
    gradient of backpropagation through time.
    """


@contextmanager
def _reported_errors() -> Iterator[None]:
    """Bad input ends in one line on stderr and its exit code; a closed pipe ends quietly."""
    try:
        yield
    except RnnCliError as error:
        # The last guard: whatever a message took from a file, no character of it acts on
        # the terminal (names are shown escaped where the message was made).
        typer.echo(f"rnncli: error: {printable(error.message, backslash=False)}", err=True)
        raise typer.Exit(error.exit_code) from None
    except BrokenPipeError:
        # The reader went away (`| head`): send what is left to nowhere and stop.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(EXIT_OK) from None


def _command(
    function: Callable[..., None], epilog: str, short_help: str, name: str | None = None
) -> None:
    """Register `function` as a command whose errors are reported as above."""

    @functools.wraps(function)
    def reported(*args: Any, **kwargs: Any) -> None:
        with _reported_errors(), quiet_numpy():  # numeric trouble: rnncli's own lines
            function(*args, **kwargs)

    app.command(name, cls=PanelledCommand, epilog=epilog, short_help=short_help)(reported)


_command(forward_command.forward, forward_command.EPILOG, forward_command.SHORT_HELP)
_command(backward_command.backward, backward_command.EPILOG, backward_command.SHORT_HELP)
_command(
    init_weights_command.init_weights,
    init_weights_command.EPILOG,
    init_weights_command.SHORT_HELP,
    name="init-weights",
)
_command(
    inspect_command.inspect, inspect_command.INSPECT_EPILOG, inspect_command.INSPECT_SHORT_HELP
)
_command(
    inspect_command.samples, inspect_command.SAMPLES_EPILOG, inspect_command.SAMPLES_SHORT_HELP
)

_command(
    model_commands.import_,
    model_commands.IMPORT_EPILOG,
    model_commands.IMPORT_SHORT_HELP,
    name="import",
)
_command(plot_command.plot, plot_command.EPILOG, plot_command.SHORT_HELP)
_command(model_commands.export, model_commands.EXPORT_EPILOG, model_commands.EXPORT_SHORT_HELP)


#: rnncli spreads a batch over the cores itself, a sub-batch per thread (rnncli.core.batching).
#: A BLAS that also splits each product over every core makes the two fight for the same
#: cores, spinning while they wait: a 1,000-sequence LSTM batch ran several times slower.
#: The BLAS libraries read these when numpy loads them; what the user has set stands.
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    """The `rnncli` command."""
    for name in BLAS_THREADS:
        os.environ.setdefault(name, "1")
    app(prog_name="rnncli")
