"""The command line: options in, the core called, errors turned into exit codes.

numpy, PyYAML and rich are imported inside the commands, so --help and --version
do not pay for them.
"""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from rnncli import __version__
from rnncli.errors import EXIT_OK, RnnCliError
from rnncli.message_words import counted
from rnncli.option_values import (
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    BiasForm,
    CellKind,
    Dtype,
    InputFormat,
    LossName,
    Mode,
    OutputFormat,
    Reduction,
    Scheme,
    canonical_activation,
)

app = typer.Typer(
    name="rnncli",
    help="A calculator for the forward pass of a recurrent neural network.",
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


# -- options forward and backward share -----------------------------------------------

ConfigOption = Annotated[
    str | None,
    typer.Option(
        "--config",
        "-c",
        help="The network's YAML config (- reads stdin). "
        "Without it, the textbook's built-in 5 → 2 network.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="auto: the table on a terminal, csv in a pipe or file.",
    ),
]
NoHeaderOption = Annotated[
    bool, typer.Option("--no-header", help="csv / tsv without the header line.")
]
InputFormatOption = Annotated[
    InputFormat | None,
    typer.Option(
        "--input-format",
        help="How SEQUENCE is written, where its name cannot tell (stdin).",
        show_default=False,
    ),
]
OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (complete or not at all) instead of stdout.",
        show_default=False,
    ),
]
H0Option = Annotated[
    str | None,
    typer.Option(
        "--h0",
        help="The initial state h_0 as 'v1,v2,...' or a --save-state FILE "
        "(overrides the config's h0).",
        show_default=False,
    ),
]
PrecisionOption = Annotated[
    int,
    typer.Option("--precision", "-p", min=0, max=17, help="Decimals in the table."),
]
SequenceArgument = Annotated[
    str,
    typer.Argument(
        help="The sequence: a CSV, TSV or JSON file, one row per time step; - reads stdin.",
        metavar="SEQUENCE",
        show_default=False,
    ),
]


FORWARD_EPILOG = """\
Example: the textbook's network (built in) over its three steps:

    $ rnncli forward samples/sample.csv
    $ rnncli forward samples/sample.csv -f json
    $ rnncli forward samples/weather.csv -c configs/weather.yaml -m many-to-one
"""


@app.command(epilog=FORWARD_EPILOG)
def forward(
    sequence: SequenceArgument,
    config: ConfigOption = None,
    mode: Annotated[
        Mode,
        typer.Option("--mode", "-m", help="An output at every step, or one at t = T."),
    ] = Mode.MANY_TO_MANY,
    output_format: FormatOption = OutputFormat.AUTO,
    json_output: Annotated[
        bool, typer.Option("--json", help="Short for --format json.", show_default=False)
    ] = False,
    no_header: NoHeaderOption = False,
    input_format: InputFormatOption = None,
    output: OutputOption = None,
    h0: H0Option = None,
    precision: PrecisionOption = 4,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Every term of every step: W_xh x_t, b_xh, W_hh h_{t-1}, b_hh, z_t, ...",
        ),
    ] = False,
    all_rows: Annotated[
        bool, typer.Option("--all", help="Every row of a long table on a terminal.")
    ] = False,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            "-n",
            min=1,
            help="Steps to run: one-to-many's outputs, or many-to-many-delayed's after T.",
            show_default=False,
        ),
    ] = None,
    feedback: Annotated[
        bool, typer.Option("--feedback", help="one-to-many: x_t = o_{t-1} after the first.")
    ] = False,
    dtype: Annotated[
        Dtype, typer.Option("--dtype", help="float32 matches PyTorch and ONNX Runtime.")
    ] = Dtype.FLOAT64,
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            help="CSV: the column whose values split the rows into sequences (a batch).",
            show_default=False,
        ),
    ] = None,
    save_state: Annotated[
        str | None,
        typer.Option(
            "--save-state",
            help="Write the final state of every layer to FILE; --h0 FILE reads it back.",
            show_default=False,
        ),
    ] = None,
    columns: Annotated[
        str | None,
        typer.Option(
            "--columns",
            help="The feature columns, in order: header names or numbers from 1 (a,b,...).",
            show_default=False,
        ),
    ] = None,
    drop: Annotated[
        list[str] | None,
        typer.Option(
            "--drop", help="Leave these columns out (repeat it, or a,b,...).", show_default=False
        ),
    ] = None,
    keep: Annotated[
        list[str] | None,
        typer.Option(
            "--keep",
            help="Copy these columns (a timestamp, an id) into every output row, not as features.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the RNN over every step of SEQUENCE and show x_t, h_t and o_t.

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh,  h_t = f(z_t),  o_t = g(W_ho h_t + b_o)
    """
    if json_output:
        if output_format not in (OutputFormat.AUTO, OutputFormat.JSON):
            raise typer.BadParameter(f"--json and --format {output_format} disagree")
        output_format = OutputFormat.JSON
    with _reported_errors():
        from rnncli.column_choice import ColumnChoice, option_names
        from rnncli.forward_pipeline import run_forward
        from rnncli.forward_request import ForwardRequest

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
            choice=ColumnChoice(
                None if columns is None else option_names([columns]),
                option_names(drop),
                option_names(keep),
            ),
        )
        run_forward(request, sys.stdout.isatty(), lambda message: typer.echo(message, err=True))


BACKWARD_EPILOG = """\
Examples: the vanishing gradient of the textbook's network; a loss and its gradients:

    $ rnncli backward samples/sample.csv
    $ rnncli backward samples/sample.csv --targets samples/sample-target.csv
    $ rnncli backward samples/weather.csv -c configs/weather.yaml --targets y.csv -f json
"""


@app.command(epilog=BACKWARD_EPILOG)
def backward(
    sequence: SequenceArgument,
    config: ConfigOption = None,
    targets: Annotated[
        str | None,
        typer.Option(
            "--targets",
            help="y_t, as a sequence file: T rows (many-to-many) or 1 (many-to-one); "
            "a row of nan: no loss there. Without it: the gradient flow only.",
            show_default=False,
        ),
    ] = None,
    loss: Annotated[
        LossName,
        typer.Option("--loss", help="mse, or cross-entropy on W_ho h_t + b_o (class indices)."),
    ] = LossName.MSE,
    reduction: Annotated[
        Reduction,
        typer.Option("--reduction", help="L = c · the sum over steps: c = 1, or the mean's."),
    ] = Reduction.SUM,
    mode: Annotated[
        Mode | None,
        typer.Option(
            "--mode",
            "-m",
            help="many-to-many or many-to-one; by default from the targets' rows.",
            show_default=False,
        ),
    ] = None,
    truncate: Annotated[
        int | None,
        typer.Option(
            "--truncate",
            help="Truncated BPTT in chunks of K steps (h detached between chunks).",
            show_default=False,
        ),
    ] = None,
    clip_norm: Annotated[
        float | None,
        typer.Option(
            "--clip-norm",
            help="Scale the gradient to norm C at most, as clip_grad_norm_.",
            show_default=False,
        ),
    ] = None,
    clip_value: Annotated[
        float | None,
        typer.Option(
            "--clip-value", help="Clamp each gradient value into [-C, C].", show_default=False
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Compare with central finite differences.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="The backward equations with their numbers.")
    ] = False,
    output_format: FormatOption = OutputFormat.AUTO,
    no_header: NoHeaderOption = False,
    input_format: InputFormatOption = None,
    output: OutputOption = None,
    h0: H0Option = None,
    precision: PrecisionOption = 4,
) -> None:
    """Backpropagation through time: every gradient, and how h_T depends on each h_k.

    dL/dh_t = W_ho^T dL/da_t + W_hh^T dL/dz_{t+1},  dL/dz_t = f'(z_t) ⊙ dL/dh_t
    """
    with _reported_errors():
        from rnncli.backward_run import BackwardRequest, run_backward

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
        )
        run_backward(request, sys.stdout.isatty())


INIT_EPILOG = """\
Examples:

    $ rnncli init-weights -i 2 -H 4 -O 1 --seed 7 -o my.yaml
    $ rnncli init-weights -i 2 -H 4 --init keras | rnncli forward samples/weather.csv -c -
    $ rnncli init-weights -i 2 -H 4 --cell lstm -o lstm.yaml
"""


@app.command("init-weights", epilog=INIT_EPILOG)
def init_weights(
    input_size: Annotated[
        int, typer.Option("--input-size", "-i", min=1, help="I, the features per step.")
    ],
    hidden_size: Annotated[
        int, typer.Option("--hidden-size", "-H", min=1, help="H, the hidden units.")
    ],
    output_size: Annotated[
        int | None,
        typer.Option("--output-size", "-O", min=1, help="O: adds an output layer W_ho, b_o."),
    ] = None,
    cell: Annotated[
        CellKind, typer.Option("--cell", help="The cell: rnn (Elman), lstm or gru.")
    ] = CellKind.RNN,
    activation: Annotated[
        str, typer.Option("--activation", help=f"f: {', '.join(ACTIVATION_NAMES)}.")
    ] = "tanh",
    output_activation: Annotated[
        str | None,
        typer.Option(
            "--output-activation",
            help=f"g: {', '.join(OUTPUT_ACTIVATION_NAMES)} (needs --output-size).",
            show_default="identity",
        ),
    ] = None,
    scheme: Annotated[
        Scheme, typer.Option("--init", help="As the framework it is named after.")
    ] = Scheme.TORCH,
    bias: Annotated[
        BiasForm | None,
        typer.Option(
            "--bias", help="b_xh and b_hh, one b_h, or none.", show_default="the scheme's"
        ),
    ] = None,
    std: Annotated[
        float, typer.Option("--std", min=0.0, help="The standard deviation for --init normal.")
    ] = 0.1,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", min=0, help="Makes the same file again.", show_default="drawn at random"
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The network's name.", show_default=False)
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = (
        False
    ),
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
    with _reported_errors():
        import secrets
        from pathlib import Path

        from rnncli.files import output_stream
        from rnncli.initialise import initial_network
        from rnncli.network_yaml import network_yaml

        if output is not None and output != "-" and Path(output).is_file() and not force:
            raise RnnCliError(f"{output}: already exists; add --force to replace it")
        if seed is None:
            seed = secrets.randbelow(2**63)
        net = initial_network(
            input_size,
            hidden_size,
            output_size,
            cell=cell,
            scheme=scheme,
            bias=bias,
            seed=seed,
            std=std,
            activation=activation,
            output_activation=output_activation,
            name=name,
        )
        command = ["rnncli init-weights", f"--input-size {input_size}"]
        command += [f"--hidden-size {hidden_size}"]
        if output_size is not None:
            command.append(f"--output-size {output_size}")
        if cell is not CellKind.RNN:
            command.append(f"--cell {cell}")
        command += [f"--activation {activation}"]
        if net.output_activation is not None:
            command.append(f"--output-activation {net.output_activation}")
        command += [f"--init {scheme}", f"--bias {net.bias}"]
        if scheme is Scheme.NORMAL:
            command.append(f"--std {std!r}")
        if name is not None:
            import shlex

            command.append(f"--name {shlex.quote(name)}")
        command.append(f"--seed {seed}")
        header = [
            f"rnncli {'' if cell is CellKind.RNN else f'{cell} '}network: "
            f"{counted(input_size, 'input')}, "
            f"{counted(hidden_size, 'hidden unit')}"
            + (f", {counted(output_size, 'output')}" if output_size is not None else ""),
            f"made by: {' '.join(command)}",
            f"seed: {seed}; init: {scheme}",
        ]
        with output_stream(output) as out:
            out.write(network_yaml(net, header))


@app.command()
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
        OutputFormat,
        typer.Option("--format", "-f", help="table for people, json for programs."),
    ] = OutputFormat.TABLE,
) -> None:
    """Show a network at a glance: sizes, activations, biases, parameters, spectral radius.

    Example:  rnncli inspect configs/weather.yaml
    """
    if output_format not in (OutputFormat.TABLE, OutputFormat.JSON, OutputFormat.AUTO):
        raise typer.BadParameter("inspect writes table or json", param_hint="'--format'")
    with _reported_errors():
        from rnncli.files import output_stream
        from rnncli.inspect_view import inspect_network

        with output_stream(None) as out:
            inspect_network(config, output_format, out)


def main() -> None:
    """The `rnncli` command."""
    app(prog_name="rnncli")
