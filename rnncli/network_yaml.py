"""Network -> config text: the YAML that config.parse_config reads back to the same bits."""

from __future__ import annotations

import json

from rnncli.activations import Activation, FloatArray
from rnncli.network import Network


def network_yaml(net: Network, header: list[str]) -> str:
    """The config text of `net`, which parse_config reads back to the same bits.

    One layer, forward, as init-weights makes. `header` lines become the leading
    comments; each matrix gets a comment with its shape and is written one row per line;
    floats are written with their shortest round-trip repr.
    """
    lines = [f"# {line}" if line else "#" for line in header]
    if net.name is not None:
        lines.append(f"name: {json.dumps(net.name, ensure_ascii=False)}")
    lines.append(f"activation: {_activation_yaml(net.activation)}")
    if net.output_activation is not None:
        lines.append(f"output_activation: {_activation_yaml(net.output_activation)}")
    lines.append("weights:")

    def matrix(key: str, shape: str, array: FloatArray) -> None:
        lines.append(f"  # {key}: {shape} = {array.shape[0]} x {array.shape[1]}")
        lines.append(f"  {key}:")
        lines.extend(f"    - {_yaml_numbers(row)}" for row in array)

    def vector(key: str, shape: str, array: FloatArray) -> None:
        lines.append(f"  # {key}: {shape} = {len(array)}")
        lines.append(f"  {key}: {_yaml_numbers(array)}")

    matrix("W_xh", "H x I", net.W_xh)
    matrix("W_hh", "H x H", net.W_hh)
    if net.bias == "two":
        vector("b_xh", "H", net.b_xh)
        vector("b_hh", "H", net.b_hh)
    elif net.bias == "one":
        vector("b_h", "H", net.b_xh + net.b_hh)
    if net.W_ho is not None and net.b_o is not None:
        matrix("W_ho", "O x H", net.W_ho)
        vector("b_o", "O", net.b_o)
    lines.append(f"# h0: H = {net.hidden_size}; the initial state")
    lines.append(f"h0: {_yaml_numbers(net.h0[0])}")
    return "\n".join(lines) + "\n"


def _activation_yaml(activation: Activation) -> str:
    """`tanh`, or `{name: leaky_relu, alpha: 0.1}`."""
    if not activation.parameters:
        return activation.name
    parameters = ", ".join(f"{k}: {v!r}" for k, v in activation.parameters.items())
    return f"{{name: {activation.name}, {parameters}}}"


def _yaml_numbers(values: FloatArray) -> str:
    return "[" + ", ".join(repr(float(v)) for v in values) + "]"
