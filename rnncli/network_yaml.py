"""Network -> config text: the YAML that config.parse_config reads back to the same bits.

Every matrix gets a comment with its shape and is written one row per line; floats are
written with their shortest round-trip repr.
"""

from __future__ import annotations

import json

from rnncli.activations import Activation, FloatArray
from rnncli.cell import RecurrentCell
from rnncli.network import Network
from rnncli.option_values import Direction


def network_yaml(net: Network, header: list[str]) -> str:
    """The config text of `net`, which parse_config reads back to the same bits.

    `header` lines become the leading comments. One layer is written as `weights:` (the
    output layer inside it; `weights_reverse:` for the other direction), more as
    `layers:` with `output:`.
    """
    lines = [f"# {line}" if line else "#" for line in header]
    if net.name is not None:
        lines.append(f"name: {json.dumps(net.name, ensure_ascii=False)}")
    lines.append(f"activation: {_activation_yaml(net.activation)}")
    if net.output_activation is not None:
        lines.append(f"output_activation: {_activation_yaml(net.output_activation)}")
    if net.direction is not Direction.FORWARD:
        lines.append(f"direction: {net.direction}")
    if net.clip is not None:
        lines.append(f"clip: {net.clip!r}")

    inputs = "I"
    if net.num_layers == 1:
        lines.append("weights:")
        _weights(lines, net.layers[0][0], "  ", inputs)
        if net.W_ho is not None and net.b_o is not None:
            _output(lines, net.W_ho, net.b_o, "  ")
        if len(net.layers[0]) == 2:
            lines.append("weights_reverse:")
            _weights(lines, net.layers[0][1], "  ", inputs)
    else:
        lines.append("layers:")
        for k, cells in enumerate(net.layers):
            lines.append(f"  - # layer {k + 1}")
            _weights(lines, cells[0], "    ", inputs)
            if len(cells) == 2:
                lines.append("    reverse:")
                _weights(lines, cells[1], "      ", inputs)
            inputs = f"{len(cells)}*H"
        if net.W_ho is not None and net.b_o is not None:
            lines.append("output:")
            _output(lines, net.W_ho, net.b_o, "  ")
    _state(lines, "h0", net.h0, "H", "the initial state")
    return "\n".join(lines) + "\n"


def _weights(lines: list[str], cell: RecurrentCell, indent: str, inputs: str) -> None:
    """W_xh, W_hh and the biases, as the cell's bias form gives them."""
    _matrix(lines, indent, "W_xh", f"H x {inputs}", cell.W_xh)
    _matrix(lines, indent, "W_hh", "H x H", cell.W_hh)
    if cell.bias == "two":
        _vector(lines, indent, "b_xh", "H", cell.b_xh)
        _vector(lines, indent, "b_hh", "H", cell.b_hh)
    elif cell.bias == "one":
        _vector(lines, indent, "b_h", "H", cell.b_xh + cell.b_hh)


def _output(lines: list[str], W_ho: FloatArray, b_o: FloatArray, indent: str) -> None:
    _matrix(lines, indent, "W_ho", "O x H", W_ho)
    _vector(lines, indent, "b_o", "O", b_o)


def _state(lines: list[str], key: str, state: FloatArray, size: str, what: str) -> None:
    """h0: a vector for one layer and direction, else one row per layer and direction."""
    if len(state) == 1:
        lines.append(f"# {key}: {size} = {state.shape[1]}; {what}")
        lines.append(f"{key}: {_yaml_numbers(state[0])}")
        return
    rows, columns = state.shape
    lines.append(f"# {key}: L*D x {size} = {rows} x {columns}; {what}, layer by layer")
    lines.append(f"{key}:")
    lines.extend(f"  - {_yaml_numbers(row)}" for row in state)


def _matrix(lines: list[str], indent: str, key: str, shape: str, array: FloatArray) -> None:
    lines.append(f"{indent}# {key}: {shape} = {array.shape[0]} x {array.shape[1]}")
    lines.append(f"{indent}{key}:")
    lines.extend(f"{indent}  - {_yaml_numbers(row)}" for row in array)


def _vector(lines: list[str], indent: str, key: str, shape: str, array: FloatArray) -> None:
    lines.append(f"{indent}# {key}: {shape} = {len(array)}")
    lines.append(f"{indent}{key}: {_yaml_numbers(array)}")


def _activation_yaml(activation: Activation) -> str:
    """`tanh`, or `{name: leaky_relu, alpha: 0.1}`."""
    if not activation.parameters:
        return activation.name
    parameters = ", ".join(f"{k}: {v!r}" for k, v in activation.parameters.items())
    return f"{{name: {activation.name}, {parameters}}}"


def _yaml_numbers(values: FloatArray) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"
