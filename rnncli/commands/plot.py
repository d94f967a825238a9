"""`rnncli plot`: its options, and the request they make for the plot pipeline."""

from typing import Annotated

import typer

from rnncli.commands.help_format import examples
from rnncli.commands.options import ConfigOption, SequenceArgument, warn
from rnncli.option_values import Mode

EPILOG = examples(
    "Examples: h_t of the textbook's three steps; h_t and the gradient flow as an SVG.",
    "rnncli plot samples/sample.csv -o h.png",
    "rnncli plot samples/sample.csv -o flow.svg --what h,gradients",
)
SHORT_HELP = "Draw h_t (o_t, c_t, the gates, the gradient flow) against t as an image."


def plot(
    sequence: SequenceArgument,
    output: Annotated[
        str,
        typer.Option("--output", "-o", help="The image: FILE.png, .svg or .pdf.", metavar="FILE"),
    ],
    config: ConfigOption = None,
    what: Annotated[
        str,
        typer.Option(
            "--what",
            help="What to draw, comma-separated: h, o, c (an LSTM's), gates (an LSTM's or "
            "GRU's, one panel each), gradients "
            "(‖∂h_T/∂h_k‖₂ on a log scale).",
            metavar="LIST",
        ),
    ] = "h",
    mode: Annotated[
        Mode, typer.Option("--mode", "-m", help="many-to-many or many-to-one.", metavar="MODE")
    ] = Mode.MANY_TO_MANY,
) -> None:
    """Draw SEQUENCE's run against t: one line per unit, a heatmap for many units or steps.

    Needs matplotlib: pip install 'rnncli[plot]'.
    """
    from rnncli.pipelines.plot import PlotRequest, run_plot

    request = PlotRequest(sequence, output, config, what, mode)
    run_plot(request, warn)
