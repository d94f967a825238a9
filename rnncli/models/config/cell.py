"""The cell a network config asks for: `cell: rnn|lstm|gru`, the activations and the
options of its gates (each refused by name on a cell that has no use for it), and the
cell made from one block of weights.
"""

from __future__ import annotations

import yaml

from rnncli.cells.activations import Activation
from rnncli.cells.kinds import CellOptions
from rnncli.message_words import shown
from rnncli.models.config.gates import GatedBlock
from rnncli.models.config.keys import CELL_ONLY_KEYS
from rnncli.models.config.weights import WeightBlock
from rnncli.models.config.yaml_nodes import NodeReader, suggestion
from rnncli.models.form import DirectionWeights
from rnncli.option_values import (
    ACTIVATION_ALIASES,
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    CellKind,
    canonical_activation,
)

CELL_KINDS = tuple(CellKind)

_WHY = {
    "recurrent_activation": "the activation of the gates; an rnn has none",
    "c0": "the initial cell state c; only an lstm has one",
}


def cell_kind(r: NodeReader, top: dict[str, yaml.Node]) -> str:
    """`cell:` (rnn by default); every top-level key the kind has no use for refused."""
    kind = "rnn"
    if "cell" in top:
        kind = r.text(top["cell"], "cell")
        if kind not in CELL_KINDS:
            raise r.error(
                top["cell"],
                "cell",
                f"unknown cell {shown(kind)}{suggestion(kind, CELL_KINDS, {})}",
            )
    for key, kinds in CELL_ONLY_KEYS.items():
        if key in top and kind not in kinds:
            only = " or ".join(f"cell: {k}" for k in kinds)
            why = f" ({_WHY[key]})" if key in _WHY else ""
            raise r.error(top[key], key, f"is for {only} only, and this is cell: {kind}{why}")
    return kind


def cell_options(r: NodeReader, top: dict[str, yaml.Node]) -> CellOptions:
    """The options of the gates the config gives (the defaults where it gives none);
    `activation` and `clip` are read with the network's."""
    options = CellOptions()
    if "recurrent_activation" in top:
        options = options._replace(
            recurrent_activation=read_activation(
                r, top["recurrent_activation"], "recurrent_activation", ACTIVATION_NAMES
            )
        )
    if "state_activation" in top:
        options = options._replace(
            state_activation=read_activation(
                r, top["state_activation"], "state_activation", ACTIVATION_NAMES
            )
        )
    if "reset_after" in top:
        options = options._replace(reset_after=r.flag(top["reset_after"], "reset_after"))
    if "input_forget" in top:
        options = options._replace(input_forget=r.flag(top["input_forget"], "input_forget"))
    return options


def direction_weights(block: WeightBlock | GatedBlock) -> DirectionWeights:
    """One block's weights (an lstm's projection and peepholes too) in the form every
    model reader gives."""
    gated = block if isinstance(block, GatedBlock) else GatedBlock(block, None, None)
    w = gated.weights
    return DirectionWeights(
        w.W_xh, w.W_hh, w.b_xh, w.b_hh, w.bias, W_hr=gated.W_hr, peepholes=gated.peepholes
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
