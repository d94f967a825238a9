"""`rnncli inspect` and `rnncli samples`: a network at a glance, and the bundled samples."""

from typing import Annotated

import typer

from rnncli.commands.help_format import examples
from rnncli.message_words import counted
from rnncli.option_values import InspectFormat, OutputFormat

INSPECT_EPILOG = examples(
    "Examples: the built-in network, then the weather network (`rnncli samples --copy` puts"
    " configs/ in the current folder):",
    "rnncli inspect",
    "rnncli samples --copy",
    "rnncli inspect configs/weather.yaml",
    "rnncli inspect configs/weather.yaml -f markdown",
)
INSPECT_SHORT_HELP = "Show a network's sizes, parameters and spectral radius."


def inspect(
    config: Annotated[
        str | None,
        typer.Argument(
            help="The network's YAML config (- reads stdin); the built-in network without it.",
            metavar="[CONFIG]",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        InspectFormat,
        typer.Option(
            "--format",
            "-f",
            help="table (for people) or json (for programs); markdown, latex or html write "
            "the table as a document for notes and slides.",
            metavar="FORMAT",
        ),
    ] = InspectFormat.TABLE,
) -> None:
    """Show a network at a glance: sizes, activations, biases, parameters, spectral radius."""
    from rnncli.pipelines.inspect import inspect_network

    inspect_network(config, OutputFormat(output_format))


SAMPLES_EPILOG = examples(
    "Examples:",
    "rnncli samples",
    "rnncli samples --copy",
    "rnncli samples sample.csv | rnncli forward -",
)
SAMPLES_SHORT_HELP = "The sample sequences and configs the examples use."


def samples(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A sample's file name (sample.csv, weather.yaml, ...): print its text.",
            metavar="[NAME]",
            show_default=False,
        ),
    ] = None,
    copy: Annotated[
        bool,
        typer.Option("--copy", help="Copy samples/ and configs/ into the current folder."),
    ] = False,
) -> None:
    """The sample sequences and configs the help's examples use.

    Without NAME, the path of every sample, one per line.
    """
    from pathlib import Path

    from rnncli.pipelines.samples import copy_samples, sample_paths, sample_text

    if copy:
        written = copy_samples(Path.cwd())
        typer.echo(f"rnncli: copied {counted(len(written), 'file')} here", err=True)
    elif name is not None:
        typer.echo(sample_text(name), nl=False)
    else:
        typer.echo("\n".join(str(path) for path in sample_paths()))
