"""`rnncli import` and `rnncli export`: model files in and out; the work is
rnncli.pipelines.models's."""

from typing import Annotated

import typer

from rnncli.commands.help_format import NETWORK, OUTPUT, examples
from rnncli.option_values import ACTIVATION_NAMES, CellKind, ExportFormat, canonical_activation

IMPORT_EPILOG = examples(
    "Examples: an ONNX model as a config, and a PyTorch state_dict run at once:",
    "rnncli import model.onnx -o net.yaml",
    "rnncli forward samples/sample.csv -c model.pt",
)
IMPORT_SHORT_HELP = "Write the config of a model file, naming each conversion."
EXPORT_EPILOG = examples(
    "Examples: a config as an ONNX model, and as a PyTorch state_dict:",
    "rnncli export configs/weather.yaml --to onnx -o weather.onnx",
    "rnncli export configs/weather.yaml --to safetensors -o weather.safetensors",
)
EXPORT_SHORT_HELP = "Write a network as an ONNX model or a PyTorch state_dict."
OutputFileOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file instead of stdout.",
        metavar="FILE",
        show_default=False,
        rich_help_panel=OUTPUT,
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option("--force", help="Replace an existing --output file.", rich_help_panel=OUTPUT),
]


def import_(
    model: Annotated[
        str,
        typer.Argument(
            help="The model file: .onnx, .safetensors, .pt/.pth, .keras or .h5.",
            metavar="MODEL",
            show_default=False,
        ),
    ],
    output: OutputFileOption = None,
    force: ForceOption = False,
    activation: Annotated[
        str | None,
        typer.Option(
            "--activation",
            help="f, where the file cannot say: relu for an nn.RNN(nonlinearity='relu') or a "
            "Keras .weights.h5 of SimpleRNN(activation='relu').",
            metavar="NAME",
            show_default="the file's, else tanh",
            rich_help_panel=NETWORK,
        ),
    ] = None,
    output_layer: Annotated[
        str | None,
        typer.Option(
            "--output-layer",
            help="The state_dict prefix of the nn.Linear after the RNN (found by shape "
            "without it).",
            metavar="PREFIX",
            show_default=False,
            rich_help_panel=NETWORK,
        ),
    ] = None,
    cell: Annotated[
        CellKind | None,
        typer.Option(
            "--cell",
            help="The cell the file must hold: rnn, lstm or gru (a Keras .weights.h5 "
            "records none; its layer groups name it).",
            metavar="CELL",
            show_default=False,
            rich_help_panel=NETWORK,
        ),
    ] = None,
    recurrent_activation: Annotated[
        str | None,
        typer.Option(
            "--recurrent-activation",
            help="σ of an LSTM's or GRU's gates, for a Keras .weights.h5 (which cannot record "
            "it); Keras's names and definitions: its hard_sigmoid is x/6 + 1/2.",
            metavar="NAME",
            show_default="sigmoid",
            rich_help_panel=NETWORK,
        ),
    ] = None,
) -> None:
    """Write the config of a model file (ONNX, PyTorch, Keras), naming each conversion."""
    from rnncli.pipelines.models import import_model

    import_model(
        model,
        output,
        force,
        cell=None if cell is None else cell.value,
        activation=_activation_name(activation, "--activation"),
        recurrent_activation=_activation_name(recurrent_activation, "--recurrent-activation"),
        output_layer=output_layer,
    )


def _activation_name(name: str | None, option: str) -> str | None:
    """An activation option's name, in its own spelling; one rnncli does not know is
    refused."""
    if name is None:
        return None
    name = canonical_activation(name)
    if name not in ACTIVATION_NAMES:
        raise typer.BadParameter(
            f"{name!r} is not one of {', '.join(ACTIVATION_NAMES)}", param_hint=f"'{option}'"
        )
    return name


def export(
    config: Annotated[
        str,
        typer.Argument(
            help="The network's YAML config (or a model file).",
            metavar="CONFIG",
            show_default=False,
        ),
    ],
    to: Annotated[
        ExportFormat,
        typer.Option(
            "--to",
            help="onnx: for ONNX Runtime; safetensors: a PyTorch state_dict.",
            metavar="FORMAT",
            rich_help_panel=OUTPUT,
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="The file to write.",
            metavar="FILE",
            show_default="CONFIG's name with the format's extension",
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    force: ForceOption = False,
    opset: Annotated[
        int, typer.Option("--opset", help="The ONNX opset written.", metavar="N")
    ] = 17,
) -> None:
    """Write a network as an ONNX model or a PyTorch state_dict (safetensors)."""
    from rnncli.pipelines.models import export_model

    export_model(config, to, output, force, opset)
