"""`rnncli init-weights`: its options; the work is rnncli.pipelines.init_weights's."""

from typing import Annotated

import typer

from rnncli.commands.help_format import NETWORK, OUTPUT, examples
from rnncli.option_values import (
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    BiasForm,
    CellKind,
    Scheme,
    canonical_activation,
)

EPILOG = examples(
    "Examples: torch.manual_seed(1); nn.RNN(5, 2) (the textbook's weights), a 2 → 4 → 1"
    " network, an LSTM, and a Keras-style one run at once (`rnncli samples --copy` puts"
    " samples/ in the current folder):",
    "rnncli init-weights -i 5 -H 2 --seed 1",
    "rnncli init-weights -i 2 -H 4 -O 1 --seed 7 -o my.yaml",
    "rnncli init-weights -i 2 -H 3 --cell lstm --init keras",
    "rnncli samples --copy",
    "rnncli init-weights -i 2 -H 4 --init keras | rnncli forward samples/weather.csv -c -",
)
SHORT_HELP = "Write a network config with freshly initialised weights."


def init_weights(
    input_size: Annotated[
        int,
        typer.Option(
            "--input-size",
            "-i",
            min=1,
            help="I, the features per step.",
            metavar="N",
            rich_help_panel=NETWORK,
        ),
    ],
    hidden_size: Annotated[
        int,
        typer.Option(
            "--hidden-size",
            "-H",
            min=1,
            help="H, the hidden units.",
            metavar="N",
            rich_help_panel=NETWORK,
        ),
    ],
    output_size: Annotated[
        int | None,
        typer.Option(
            "--output-size",
            "-O",
            min=1,
            help="O: adds an output layer W_ho, b_o.",
            metavar="N",
            show_default=False,
            rich_help_panel=NETWORK,
        ),
    ] = None,
    cell: Annotated[
        CellKind,
        typer.Option(
            "--cell",
            help="The cell: rnn (Elman), lstm or gru.",
            metavar="CELL",
            rich_help_panel=NETWORK,
        ),
    ] = CellKind.RNN,
    activation: Annotated[
        str,
        typer.Option(
            "--activation",
            help=f"f: {', '.join(ACTIVATION_NAMES)}.",
            metavar="NAME",
            rich_help_panel=NETWORK,
        ),
    ] = "tanh",
    output_activation: Annotated[
        str | None,
        typer.Option(
            "--output-activation",
            help=f"g: {', '.join(OUTPUT_ACTIVATION_NAMES)} (needs --output-size).",
            metavar="NAME",
            show_default="identity",
            rich_help_panel=NETWORK,
        ),
    ] = None,
    scheme: Annotated[
        Scheme,
        typer.Option(
            "--init",
            help="torch, keras, orthogonal, normal or zeros: each as the framework it is "
            "named after.",
            metavar="SCHEME",
        ),
    ] = Scheme.TORCH,
    bias: Annotated[
        BiasForm | None,
        typer.Option(
            "--bias",
            help="two (b_xh and b_hh), one (b_h) or none.",
            metavar="FORM",
            show_default="the scheme's",
        ),
    ] = None,
    std: Annotated[
        float,
        typer.Option(
            "--std", min=0.0, help="The standard deviation for --init normal.", metavar="X"
        ),
    ] = 0.1,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            min=0,
            help="Makes the same file again. With --init torch (two biases or none), "
            "torch.manual_seed(N)'s numbers; for the other schemes rnncli's own.",
            metavar="N",
            show_default="drawn at random",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The network's name.", metavar="TEXT", show_default=False),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file instead of stdout.",
            metavar="FILE",
            show_default=False,
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace an existing --output file.", rich_help_panel=OUTPUT),
    ] = False,
) -> None:
    """Write a network config with freshly initialised weights.

    torch: U(-1/sqrt(H), 1/sqrt(H)) as nn.RNN, nn.LSTM, nn.GRU; keras: glorot-uniform W_xh,
    orthogonal W_hh, zero bias (an lstm's forget gate 1), as SimpleRNN, LSTM, GRU;
    orthogonal: W_hh orthogonal, the rest as torch; normal: N(0, std²); zeros: a template.
    """
    activation = canonical_activation(activation)
    if activation not in ACTIVATION_NAMES:
        raise typer.BadParameter(
            f"{activation!r} is not one of {', '.join(ACTIVATION_NAMES)}",
            param_hint="'--activation'",
        )
    if output_activation is not None:
        output_activation = canonical_activation(output_activation)
        if output_size is None:
            raise typer.BadParameter("needs --output-size", param_hint="'--output-activation'")
        if output_activation not in OUTPUT_ACTIVATION_NAMES:
            raise typer.BadParameter(
                f"{output_activation!r} is not one of {', '.join(OUTPUT_ACTIVATION_NAMES)}",
                param_hint="'--output-activation'",
            )
    from rnncli.pipelines.init_weights import InitRequest, write_initial_config

    write_initial_config(
        InitRequest(
            input_size=input_size,
            hidden_size=hidden_size,
            output_size=output_size,
            cell=cell,
            activation=activation,
            output_activation=output_activation,
            scheme=scheme,
            bias=bias,
            std=std,
            seed=seed,
            name=name,
            output=output,
            force=force,
        )
    )
