"""`rnncli init-weights` without its options: draw the weights, name how, write the file."""

from __future__ import annotations

import secrets
import shlex
from pathlib import Path
from typing import NamedTuple

from rnncli.core.initialise import initial_network
from rnncli.errors import RnnCliError
from rnncli.io.output_files import check_run_files, output_stream
from rnncli.message_words import counted
from rnncli.models.config.write import network_yaml
from rnncli.option_values import BiasForm, CellKind, Scheme


class InitRequest(NamedTuple):
    """What `rnncli init-weights` was asked to make; see its --help."""

    input_size: int
    hidden_size: int
    output_size: int | None
    cell: CellKind
    activation: str
    output_activation: str | None
    scheme: Scheme
    bias: BiasForm | None
    std: float
    seed: int | None
    name: str | None
    output: str | None
    force: bool


def write_initial_config(request: InitRequest) -> None:
    """A config with fresh weights, headed by the command that makes it again."""
    output = request.output
    check_run_files([("-o", output)], [])  # it reads no file
    if output is not None and output != "-" and Path(output).is_file() and not request.force:
        raise RnnCliError(f"{output}: already exists; add --force to replace it")
    seed = secrets.randbelow(2**63) if request.seed is None else request.seed
    net = initial_network(
        request.input_size,
        request.hidden_size,
        request.output_size,
        cell=request.cell,
        scheme=request.scheme,
        bias=request.bias,
        seed=seed,
        std=request.std,
        activation=request.activation,
        output_activation=request.output_activation,
        name=request.name,
    )
    I, H, O, cell = request.input_size, request.hidden_size, request.output_size, request.cell
    command = ["rnncli init-weights", f"--input-size {I}", f"--hidden-size {H}"]
    if O is not None:
        command.append(f"--output-size {O}")
    if cell is not CellKind.RNN:
        command.append(f"--cell {cell}")
    command.append(f"--activation {request.activation}")
    if net.output_activation is not None:
        command.append(f"--output-activation {net.output_activation}")
    command += [f"--init {request.scheme}", f"--bias {net.bias}"]
    if request.scheme is Scheme.NORMAL:
        command.append(f"--std {request.std!r}")
    if request.name is not None:
        command.append(f"--name {shlex.quote(request.name)}")
    command.append(f"--seed {seed}")
    kind = "" if cell is CellKind.RNN else f"{cell} "
    header = [
        f"rnncli {kind}network: {counted(I, 'input')}, {counted(H, 'hidden unit')}"
        + (f", {counted(O, 'output')}" if O is not None else ""),
        f"made by: {' '.join(command)}",
        f"seed: {seed}; init: {request.scheme}; "
        + _seed_meaning(request.scheme, cell, net.bias, seed, I, H, O),
    ]
    with output_stream(output) as out:
        out.write(network_yaml(net, header))


def _seed_meaning(
    scheme: Scheme, cell: CellKind, bias: str, seed: int, I: int, H: int, O: int | None
) -> str:
    """What the seed reproduces: PyTorch's own numbers, or rnncli's."""
    if scheme is not Scheme.TORCH or bias == BiasForm.ONE:
        return "the seed is rnncli's own, not a framework's"
    no_bias = ", bias=False" if bias == BiasForm.NONE else ""
    module = {CellKind.RNN: "nn.RNN", CellKind.LSTM: "nn.LSTM", CellKind.GRU: "nn.GRU"}[cell]
    modules = f"{module}({I}, {H}{no_bias})" + (f"; nn.Linear({H}, {O}{no_bias})" if O else "")
    return f"the numbers of torch.manual_seed({seed}); {modules}"
