"""`rnncli backward`: its options, and the request they make for the backward pipeline."""

import sys
from typing import Annotated

import typer

from rnncli.commands.help_format import EXPLAIN, INPUT, LOSS, MODE, examples
from rnncli.commands.options import (
    ConfigOption,
    FormatOption,
    H0Option,
    InputFormatOption,
    NoHeaderOption,
    OutputOption,
    PrecisionOption,
    SequenceArgument,
    warn,
)
from rnncli.option_values import LossName, Mode, OutputFormat, Reduction

EPILOG = examples(
    "Examples: the vanishing gradient of the textbook's network; a loss and its gradients"
    " (`rnncli samples --copy` puts samples/ and configs/ in the current folder):",
    "rnncli samples --copy",
    "rnncli backward samples/sample.csv",
    "rnncli backward samples/sample.csv --targets samples/sample-target.csv",
    "rnncli backward samples/sample.csv --targets samples/sample-target.csv -f json",
    "rnncli backward samples/lesson.csv -c configs/lesson-rnn.yaml"
    " --compare configs/lesson-lstm.yaml",
)
SHORT_HELP = "Backpropagation through time: every gradient, and the gradient flow."


def backward(
    sequence: SequenceArgument,
    config: ConfigOption = None,
    targets: Annotated[
        str | None,
        typer.Option(
            "--targets",
            help="y_t, as a sequence file: T rows (many-to-many) or 1 (many-to-one); "
            "a row of nan: no loss there. Without it: the gradient flow only.",
            metavar="FILE",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ] = None,
    loss: Annotated[
        LossName,
        typer.Option(
            "--loss",
            help="mse, or cross-entropy on W_ho h_t + b_o (class indices).",
            metavar="LOSS",
            rich_help_panel=LOSS,
        ),
    ] = LossName.MSE,
    reduction: Annotated[
        Reduction,
        typer.Option(
            "--reduction",
            help="sum or mean: L = c · the sum over steps, c = 1 or the mean's.",
            metavar="HOW",
            rich_help_panel=LOSS,
        ),
    ] = Reduction.SUM,
    mode: Annotated[
        Mode | None,
        typer.Option(
            "--mode",
            "-m",
            help="many-to-many or many-to-one; by default from the targets' rows.",
            metavar="MODE",
            show_default=False,
            rich_help_panel=MODE,
        ),
    ] = None,
    truncate: Annotated[
        int | None,
        typer.Option(
            "--truncate",
            help="Truncated BPTT in chunks of K steps (h detached between chunks).",
            metavar="K",
            show_default=False,
            rich_help_panel=LOSS,
        ),
    ] = None,
    clip_norm: Annotated[
        float | None,
        typer.Option(
            "--clip-norm",
            help="Scale the gradient to norm C at most, as clip_grad_norm_.",
            metavar="C",
            show_default=False,
            rich_help_panel=LOSS,
        ),
    ] = None,
    clip_value: Annotated[
        float | None,
        typer.Option(
            "--clip-value",
            help="Clamp each gradient value into [-C, C].",
            metavar="C",
            show_default=False,
            rich_help_panel=LOSS,
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Compare with central finite differences.", rich_help_panel=EXPLAIN
        ),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain", help="The backward equations with their numbers.", rich_help_panel=EXPLAIN
        ),
    ] = False,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="Another config (e.g. an rnn beside an lstm): its gradient flow for the "
            "same sequence, side by side.",
            metavar="CONFIG",
            show_default=False,
            rich_help_panel=EXPLAIN,
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.AUTO,
    no_header: NoHeaderOption = False,
    input_format: InputFormatOption = None,
    output: OutputOption = None,
    h0: H0Option = None,
    precision: PrecisionOption = 4,
) -> None:
    """Backpropagation through time: every gradient, and how h_T depends on each h_k.

    \b
    dL/dh_t = W_ho^T dL/da_t + W_hh^T dL/dz_{t+1},  dL/dz_t = f'(z_t) ⊙ dL/dh_t
    """
    from rnncli.pipelines.backward import BackwardRequest, run_backward

    request = BackwardRequest(
        sequence=sequence,
        config=config,
        targets=targets,
        loss=loss,
        reduction=reduction,
        mode=mode,
        truncate=truncate,
        clip_norm=clip_norm,
        clip_value=clip_value,
        check=check,
        explain=explain,
        output_format=output_format,
        no_header=no_header,
        input_format=input_format,
        output=output,
        h0=h0,
        precision=precision,
        compare=compare,
    )
    run_backward(request, sys.stdout.isatty(), warn)
