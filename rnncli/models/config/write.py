"""Network -> config text: the YAML that config.parse_config reads back to the same bits.

Every matrix gets a comment with its shape and is written one row per line; floats are
written with their shortest round-trip repr. An LSTM's or a GRU's weights are written per
gate, each gate's block under a comment naming it.
"""

from __future__ import annotations

import json

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.elman import RecurrentCell
from rnncli.core.network import Network
from rnncli.models.config.keys import CELL_ONLY_KEYS, PEEPHOLE_KEYS
from rnncli.option_values import Direction
from rnncli.printable import printable


def _yaml_string(text: str) -> str:
    """`text` as a YAML double-quoted string that reads back to exactly `text`: JSON's
    escapes, and every character that is not printable (C1 controls, bidirectional
    overrides, ...) as YAML's `\\uXXXX` or `\\UXXXXXXXX`, which YAML requires of some
    of them and which leaves none of them raw in the file or on a terminal."""
    quoted = json.dumps(text, ensure_ascii=False)
    return "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in quoted
    )


def network_yaml(net: Network, header: list[str]) -> str:
    """The config text of `net`, which parse_config reads back to the same bits.

    `header` lines become the leading comments. One layer is written as `weights:` (the
    output layer inside it; `weights_reverse:` for the other direction), more as
    `layers:` with `output:`. The name is written with YAML's escapes (_yaml_string).
    """
    # A header line may quote a file (a state_dict's key, a layer's name): made printable,
    # no line break can end its comment and no control reaches the file or a terminal.
    lines = [f"# {printable(line, backslash=False)}" if line else "#" for line in header]
    cell = net.cell
    if net.name is not None:
        lines.append(f"name: {_yaml_string(net.name)}")
    options = cell.options
    takes = {key for key, kinds in CELL_ONLY_KEYS.items() if cell.kind in kinds}
    if cell.gates:
        lines.append(f"cell: {cell.kind}")
    lines.append(f"activation: {_activation_yaml(net.activation)}")
    if "recurrent_activation" in takes:
        lines.append(f"recurrent_activation: {_activation_yaml(options.recurrent_activation)}")
    if "state_activation" in takes and options.state_activation is not None:
        lines.append(f"state_activation: {_activation_yaml(options.state_activation)}")
    if "input_forget" in takes and options.input_forget:
        lines.append("input_forget: true")
    if "reset_after" in takes:
        lines.append(f"reset_after: {str(options.reset_after).lower()}")
    if net.output_activation is not None:
        lines.append(f"output_activation: {_activation_yaml(net.output_activation)}")
    if net.direction is not Direction.FORWARD:
        lines.append(f"direction: {net.direction}")
    if net.clip is not None:
        lines.append(f"clip: {net.clip!r}")

    inputs = "I"
    if net.num_layers == 1:
        lines.append("weights:")
        _block(lines, net.layers[0][0], "  ", inputs)
        if net.W_ho is not None and net.b_o is not None:
            _output(lines, net.W_ho, net.b_o, "  ")
        if len(net.layers[0]) == 2:
            lines.append("weights_reverse:")
            _block(lines, net.layers[0][1], "  ", inputs)
    else:
        lines.append("layers:")
        for k, cells in enumerate(net.layers):
            lines.append(f"  - # layer {k + 1}")
            _block(lines, cells[0], "    ", inputs)
            if len(cells) == 2:
                lines.append("    reverse:")
                _block(lines, cells[1], "      ", inputs)
            inputs = f"{len(cells)}*{'P' if _projection(cells[0]) else 'H'}"
        if net.W_ho is not None and net.b_o is not None:
            lines.append("output:")
            _output(lines, net.W_ho, net.b_o, "  ")
    _state(lines, "h0", net.h0, "P" if _projection(cell) else "H", "the initial state")
    if net.c0 is not None:
        _state(lines, "c0", net.c0, "H", "the initial cell state")
    return "\n".join(lines) + "\n"


def _block(lines: list[str], cell: RecurrentCell, indent: str, inputs: str) -> None:
    """One cell's weights at `indent`: W_xh, W_hh and biases, or an LSTM's or GRU's per
    gate (H rows of the stacked arrays each), then an LSTM's W_hr and peepholes."""
    if not cell.gates:
        _weights(lines, cell, slice(None), indent, inputs, "H")
        return
    H = cell.cell_size
    recurrent = "P" if _projection(cell) else "H"
    for j, (gate, meaning) in enumerate(cell.gate_meanings.items()):
        lines.append(f"{indent}# {gate}: {meaning}")
        lines.append(f"{indent}{gate}:")
        _weights(lines, cell, slice(j * H, (j + 1) * H), indent + "  ", inputs, recurrent)
    if cell.W_hr is not None:
        _matrix(lines, indent, "W_hr", "P x H", cell.W_hr)
    if cell.peepholes is not None:
        lines.append(f"{indent}# peepholes: H = {H} each, on c_(t-1) (i, f) and c_t (o)")
        lines.append(f"{indent}peepholes:")
        for gate, row in zip(PEEPHOLE_KEYS, cell.peepholes, strict=True):
            lines.append(f"{indent}  {gate}: {_yaml_numbers(row)}")


def _weights(
    lines: list[str],
    cell: RecurrentCell,
    rows: slice,
    indent: str,
    inputs: str,
    recurrent: str,
) -> None:
    """W_xh, W_hh and the biases of `rows`, as the cell's bias form gives them."""
    _matrix(lines, indent, "W_xh", f"H x {inputs}", cell.W_xh[rows])
    _matrix(lines, indent, "W_hh", f"H x {recurrent}", cell.W_hh[rows])
    if cell.bias == "two":
        _vector(lines, indent, "b_xh", "H", cell.b_xh[rows])
        _vector(lines, indent, "b_hh", "H", cell.b_hh[rows])
    elif cell.bias == "one":
        _vector(lines, indent, "b_h", "H", cell.b_xh[rows] + cell.b_hh[rows])


def _output(lines: list[str], W_ho: FloatArray, b_o: FloatArray, indent: str) -> None:
    _matrix(lines, indent, "W_ho", "O x H", W_ho)
    _vector(lines, indent, "b_o", "O", b_o)


def _state(lines: list[str], key: str, state: FloatArray, size: str, what: str) -> None:
    """h0 or c0: a vector for one layer and direction, else one row per layer and direction."""
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


def _projection(cell: RecurrentCell) -> bool:
    return cell.W_hr is not None


def _activation_yaml(activation: Activation) -> str:
    """`tanh`, or `{name: leaky_relu, alpha: 0.1}`."""
    if not activation.parameters:
        return activation.name
    parameters = ", ".join(f"{k}: {v!r}" for k, v in activation.parameters.items())
    return f"{{name: {activation.name}, {parameters}}}"


def _yaml_numbers(values: FloatArray) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"
