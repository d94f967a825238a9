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
from rnncli.help_format import EXPLAIN, INPUT, MODE, NETWORK, OUTPUT, PanelledCommand, examples
from rnncli.message_words import counted
from rnncli.option_values import (
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    BiasForm,
    Dtype,
    InputFormat,
    InspectFormat,
    Mode,
    OutputFormat,
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


FORWARD_EPILOG = examples(
    "Examples: the textbook's network (built in) over its three steps, then the weather"
    " network; `rnncli samples --copy` puts samples/ and configs/ in the current folder.",
    "rnncli samples --copy",
    "rnncli forward samples/sample.csv",
    "rnncli forward samples/sample.csv -f json",
    "rnncli forward samples/weather.csv -c configs/weather.yaml -m many-to-one",
    "rnncli samples sample.csv | rnncli forward -",
)


@app.command(
    cls=PanelledCommand,
    epilog=FORWARD_EPILOG,
    short_help="Run the network over a sequence: x_t, h_t and o_t.",
)
def forward(
    sequence: Annotated[
        str,
        typer.Argument(
            help="The sequence: a CSV, TSV or JSON file, one row per time step; - reads stdin.",
            metavar="SEQUENCE",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ],
    config: Annotated[
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
    ] = None,
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
    output_format: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            "-f",
            help="auto, table, csv, tsv, json or jsonl; auto: the table on a terminal, "
            "csv in a pipe or file.",
            metavar="FORMAT",
            rich_help_panel=OUTPUT,
        ),
    ] = OutputFormat.AUTO,
    json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Short for --format json.", show_default=False, rich_help_panel=OUTPUT
        ),
    ] = False,
    no_header: Annotated[
        bool,
        typer.Option(
            "--no-header", help="csv / tsv without the header line.", rich_help_panel=OUTPUT
        ),
    ] = False,
    input_format: Annotated[
        InputFormat | None,
        typer.Option(
            "--input-format",
            help="csv, tsv, json or jsonl: how SEQUENCE is written, where its name cannot "
            "tell (stdin).",
            metavar="FORMAT",
            show_default=False,
            rich_help_panel=INPUT,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (complete or not at all) instead of stdout.",
            metavar="FILE",
            show_default=False,
            rich_help_panel=OUTPUT,
        ),
    ] = None,
    h0: Annotated[
        str | None,
        typer.Option(
            "--h0",
            help="The initial state h_0 as 'v1,v2,...' or a --save-state FILE "
            "(overrides the config's h0).",
            metavar="VALUES|FILE",
            show_default=False,
            rich_help_panel=NETWORK,
        ),
    ] = None,
    precision: Annotated[
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
    ] = 4,
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
    dtype: Annotated[
        Dtype,
        typer.Option(
            "--dtype",
            help="float64 or float32; float32 matches PyTorch and ONNX Runtime.",
            metavar="DTYPE",
            rich_help_panel=NETWORK,
        ),
    ] = Dtype.FLOAT64,
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
) -> None:
    """Run the RNN over every step of SEQUENCE and show x_t, h_t and o_t.

    \b
    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh,  h_t = f(z_t),  o_t = g(W_ho h_t + b_o)
    """
    if json_output:
        if output_format not in (OutputFormat.AUTO, OutputFormat.JSON):
            raise typer.BadParameter(f"--json and --format {output_format} disagree")
        output_format = OutputFormat.JSON
    with _reported_errors():
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
        )
        run_forward(request, sys.stdout.isatty(), lambda message: typer.echo(message, err=True))


INIT_EPILOG = examples(
    "Examples: torch.manual_seed(1); nn.RNN(5, 2) (the textbook's weights), a 2 → 4 → 1"
    " network, and a Keras-style one run at once (`rnncli samples --copy` puts samples/"
    " in the current folder):",
    "rnncli init-weights -i 5 -H 2 --seed 1",
    "rnncli init-weights -i 2 -H 4 -O 1 --seed 7 -o my.yaml",
    "rnncli samples --copy",
    "rnncli init-weights -i 2 -H 4 --init keras | rnncli forward samples/weather.csv -c -",
)


@app.command(
    "init-weights",
    cls=PanelledCommand,
    epilog=INIT_EPILOG,
    short_help="Write a network config with freshly initialised weights.",
)
def init_weights(
    input_size: Annotated[
        int,
        typer.Option("--input-size", "-i", min=1, help="I, the features per step.", metavar="N"),
    ],
    hidden_size: Annotated[
        int,
        typer.Option("--hidden-size", "-H", min=1, help="H, the hidden units.", metavar="N"),
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
        ),
    ] = None,
    activation: Annotated[
        str,
        typer.Option("--activation", help=f"f: {', '.join(ACTIVATION_NAMES)}.", metavar="NAME"),
    ] = "tanh",
    output_activation: Annotated[
        str | None,
        typer.Option(
            "--output-activation",
            help=f"g: {', '.join(OUTPUT_ACTIVATION_NAMES)} (needs --output-size).",
            metavar="NAME",
            show_default="identity",
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
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")] = (
        False
    ),
) -> None:
    """Write a network config with freshly initialised weights.

    torch: U(-1/sqrt(H), 1/sqrt(H)) as nn.RNN; keras: glorot-uniform W_xh, orthogonal W_hh,
    zero bias, as SimpleRNN; orthogonal: W_hh orthogonal, the rest as torch;
    normal: N(0, std²); zeros: a template to fill in.
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
            f"rnncli network: {counted(input_size, 'input')}, "
            f"{counted(hidden_size, 'hidden unit')}"
            + (f", {counted(output_size, 'output')}" if output_size is not None else ""),
            f"made by: {' '.join(command)}",
            f"seed: {seed}; init: {scheme}; "
            + _seed_meaning(scheme, net.bias, seed, input_size, hidden_size, output_size),
        ]
        with output_stream(output) as out:
            out.write(network_yaml(net, header))


INSPECT_EPILOG = examples(
    "Examples: the built-in network, then the weather network (`rnncli samples --copy` puts"
    " configs/ in the current folder):",
    "rnncli inspect",
    "rnncli samples --copy",
    "rnncli inspect configs/weather.yaml",
)


def _seed_meaning(scheme: Scheme, bias: str, seed: int, I: int, H: int, O: int | None) -> str:
    """What the seed reproduces: PyTorch's own numbers, or rnncli's."""
    if scheme is not Scheme.TORCH or bias == BiasForm.ONE:
        return "the seed is rnncli's own, not a framework's"
    no_bias = ", bias=False" if bias == BiasForm.NONE else ""
    modules = f"nn.RNN({I}, {H}{no_bias})" + (f"; nn.Linear({H}, {O}{no_bias})" if O else "")
    return f"the numbers of torch.manual_seed({seed}); {modules}"


@app.command(
    cls=PanelledCommand,
    epilog=INSPECT_EPILOG,
    short_help="Show a network's sizes, parameters and spectral radius.",
)
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
            "--format", "-f", help="table (for people) or json (for programs).", metavar="FORMAT"
        ),
    ] = InspectFormat.TABLE,
) -> None:
    """Show a network at a glance: sizes, activations, biases, parameters, spectral radius."""
    with _reported_errors():
        from rnncli.files import output_stream
        from rnncli.inspect_view import inspect_network

        with output_stream(None) as out:
            inspect_network(config, OutputFormat(output_format), out)


@app.command(
    cls=PanelledCommand,
    epilog=examples(
        "Examples:",
        "rnncli samples",
        "rnncli samples --copy",
        "rnncli samples sample.csv | rnncli forward -",
    ),
    short_help="The sample sequences and configs the examples use.",
)
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
    with _reported_errors():
        from pathlib import Path

        from rnncli.sample_files import copy_samples, sample_paths, sample_text

        if copy:
            written = copy_samples(Path.cwd())
            typer.echo(f"rnncli: copied {counted(len(written), 'file')} here", err=True)
        elif name is not None:
            typer.echo(sample_text(name), nl=False)
        else:
            typer.echo("\n".join(str(path) for path in sample_paths()))


def main() -> None:
    """The `rnncli` command."""
    app(prog_name="rnncli")
