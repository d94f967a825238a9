"""The cell a network config asks for: `cell: rnn|lstm|gru`, the activations and the
options of its gates (each refused by name on a cell that has no use for it), and the
cell made from one block of weights.
"""

from __future__ import annotations

from typing import NamedTuple

import yaml

from rnncli.cells import kinds as cells
from rnncli.cells.activations import SIGMOID, Activation
from rnncli.cells.elman import ElmanCell, RecurrentCell
from rnncli.cells.kinds import CellOptions
from rnncli.message_words import shown
from rnncli.models.config.gates import GatedBlock
from rnncli.models.config.weights import WeightBlock
from rnncli.models.config.yaml_nodes import NodeReader, suggestion
from rnncli.option_values import (
    ACTIVATION_ALIASES,
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    CellKind,
    canonical_activation,
)

CELL_KINDS = tuple(CellKind)

#: The top-level keys that only some cells take, and which.
_ONLY = {
    "recurrent_activation": ("lstm", "gru"),
    "state_activation": ("lstm",),
    "input_forget": ("lstm",),
    "reset_after": ("gru",),
    "c0": ("lstm",),
}
_WHY = {
    "recurrent_activation": "the activation of the gates; an rnn has none",
    "c0": "the initial cell state c; only an lstm has one",
}


class CellSpec(NamedTuple):
    """What every cell of the network is, beside its weights (see CELLS in the README)."""

    kind: str  # rnn, lstm or gru
    recurrent_activation: Activation = SIGMOID  # σ of the gates
    state_activation: Activation | None = None  # lstm: h_t = o ⊙ state_act(c_t); None: f
    reset_after: bool = True  # gru: r ⊙ (W_hh^n h + b_hh^n), as PyTorch; false: ONNX's default
    input_forget: bool = False  # lstm: f = 1 - i


def cell_spec(r: NodeReader, top: dict[str, yaml.Node]) -> CellSpec:
    """`cell:` (rnn by default) and the options of its gates."""
    kind = "rnn"
    if "cell" in top:
        kind = r.text(top["cell"], "cell")
        if kind not in CELL_KINDS:
            raise r.error(
                top["cell"],
                "cell",
                f"unknown cell {shown(kind)}{suggestion(kind, CELL_KINDS, {})}",
            )
    for key, kinds in _ONLY.items():
        if key in top and kind not in kinds:
            only = " or ".join(f"cell: {k}" for k in kinds)
            why = f" ({_WHY[key]})" if key in _WHY else ""
            raise r.error(top[key], key, f"is for {only} only, and this is cell: {kind}{why}")
    spec = CellSpec(kind)
    if "recurrent_activation" in top:
        spec = spec._replace(
            recurrent_activation=read_activation(
                r, top["recurrent_activation"], "recurrent_activation", ACTIVATION_NAMES
            )
        )
    if "state_activation" in top:
        spec = spec._replace(
            state_activation=read_activation(
                r, top["state_activation"], "state_activation", ACTIVATION_NAMES
            )
        )
    if "reset_after" in top:
        spec = spec._replace(reset_after=r.flag(top["reset_after"], "reset_after"))
    if "input_forget" in top:
        spec = spec._replace(input_forget=r.flag(top["input_forget"], "input_forget"))
    return spec


def make_cell(
    spec: CellSpec, block: WeightBlock | GatedBlock, activation: Activation, clip: float | None
) -> RecurrentCell:
    """The cell of `spec` with the weights of `block`, its activation and clip."""
    if isinstance(block, WeightBlock):
        return ElmanCell(block.W_xh, block.W_hh, block.b_xh, block.b_hh, block.bias)
    w = block.weights
    options = CellOptions(
        activation=activation,
        recurrent_activation=spec.recurrent_activation,
        state_activation=spec.state_activation,
        clip=clip,
        input_forget=spec.input_forget,
        reset_after=spec.reset_after,
    )
    return cells.make_cell(
        spec.kind, w.W_xh, w.W_hh, w.b_xh, w.b_hh, w.bias, options, block.W_hr, block.peepholes
    )


def read_activation(
    r: NodeReader, node: yaml.Node | None, key: str, names: tuple[str, ...]
) -> Activation:
    """`tanh`, or `{name: leaky_relu, alpha: 0.1}` with ONNX's parameters."""
    if node is None:
        return Activation("tanh")
    parameters: dict[str, float] = {}
    name_node = node
    if isinstance(node, yaml.MappingNode):
        keys = r.mapping(node, key, ("name", "alpha", "beta"), hints={})
        if "name" not in keys:
            raise r.error(node, f"{key}.name", "missing")
        name_node = keys["name"]
        parameters = {p: r.number(keys[p], f"{key}.{p}") for p in ("alpha", "beta") if p in keys}
    name = r.text(name_node, key)
    canonical = canonical_activation(name)
    if canonical not in names:
        known = (*names, *ACTIVATION_ALIASES)
        message = f"unknown activation {shown(name)}{suggestion(name, known, {})}"
        if canonical in OUTPUT_ACTIVATION_NAMES:
            message = f"{name} is for output_activation only, with an output layer"
        raise r.error(name_node, key, message)
    activation = Activation.named(canonical, **parameters)
    unused = set(parameters) - set(activation.parameters)
    if unused:
        raise r.error(node, key, f"{canonical} takes no {' or '.join(sorted(unused))}")
    return activation
