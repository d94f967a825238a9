"""YAML config -> Network: what a network config holds, checked with the place of every
mistake. The keys are listed in the README ("Stacked layers, directions, activations,
clip"); the YAML is read by yaml_nodes, the weight blocks by config_weights.

Each shape is checked once, here: a block's W_xh, W_hh and biases in
config_weights.read_block against the first block's H and I; W_ho in
config_weights.output_layer; h0 in initial_state; the size keys against the arrays.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import yaml

from rnncli.activations import Activation, FloatArray
from rnncli.cell import Cell
from rnncli.config_keys import REQUIRED, TOP_HINTS, TOP_KEYS, WEIGHT_HINTS
from rnncli.config_weights import (
    BlockShape,
    check_size_key,
    output_layer,
    read_block,
    weight_blocks,
)
from rnncli.errors import RnnCliError
from rnncli.files import MAX_CONFIG_BYTES, decode_text, read_bytes, source_name
from rnncli.message_words import shown
from rnncli.network import Network
from rnncli.option_values import (
    ACTIVATION_ALIASES,
    ACTIVATION_NAMES,
    OUTPUT_ACTIVATION_NAMES,
    Direction,
    canonical_activation,
)
from rnncli.yaml_nodes import ROOT, NodeReader, compose, shape, suggestion

BUILTIN_CONFIG = "textbook.yaml"


def load_config(path: str) -> Network:
    """Read the network config at `path` (`-` for standard input); a model file (ONNX,
    PyTorch, Keras: see model_files) by its extension."""
    from rnncli.model_files import load_model_network, model_extension

    if model_extension(path) is not None:
        return load_model_network(path)
    source = source_name(path)
    return parse_config(
        decode_text(read_bytes(path, "YAML config", MAX_CONFIG_BYTES), source), source
    )


def default_network() -> Network:
    """The built-in network: the textbook's nn.RNN(5, 2) with torch.manual_seed(1)."""
    text = resources.files("rnncli").joinpath(BUILTIN_CONFIG).read_text(encoding="utf-8")
    return parse_config(text, f"<built-in {BUILTIN_CONFIG}>")


def parse_config(text: str, source: str) -> Network:
    """The network described by the YAML `text`; `source` names it in messages."""
    root = compose(text, source)
    if root is None:
        raise RnnCliError(
            f"{source}: is empty; a config needs at least `weights:` with W_xh and W_hh"
        )
    r = NodeReader(source)
    r.check_tree(root)
    return _network(r, root)


def _network(r: NodeReader, root: yaml.Node) -> Network:
    top = r.mapping(root, ROOT, TOP_KEYS, TOP_HINTS, REQUIRED)
    direction = _direction(r, top.get("direction"))
    D = 2 if direction is Direction.BIDIRECTIONAL else 1
    blocks = weight_blocks(r, root, top, direction)

    # The rnn cell is one block. Layer 1's first block sets H (W_xh's rows) and I (its
    # columns); every other block is read against them.
    layers: list[tuple[Cell, ...]] = []
    H = I = 0
    for k, directions in enumerate(blocks):
        cells: list[Cell] = []
        for node, path, allowed in directions:
            weights = r.mapping(node, path, allowed, WEIGHT_HINTS, REQUIRED)
            first = not layers and not cells
            expected = None if first else BlockShape(H, D * H if k else I, reads_below=k > 0)
            block = read_block(r, node, weights, path, expected)
            if first:
                first_weights, first_path = weights, path
                H, I = block.W_xh.shape
                check_size_key(r, top, "hidden_size", H, "W_xh has", "rows")
                check_size_key(r, top, "input_size", I, "W_xh has", "columns")
            cells.append(Cell(block.W_xh, block.W_hh, block.b_xh, block.b_hh, block.bias))
        layers.append(tuple(cells))
    L = len(layers)
    check_size_key(r, top, "num_layers", L, "the config has", "layers")

    W_ho, b_o = output_layer(r, top, first_weights, first_path, D * H)
    activation = _activation(r, top.get("activation"), "activation", ACTIVATION_NAMES)
    output_activation: Activation | None = None
    if "output_activation" in top:
        if W_ho is None:
            raise r.error(
                top["output_activation"],
                "output_activation",
                "needs an output layer (W_ho); without one o_t = h_t",
            )
        output_activation = _activation(
            r, top["output_activation"], "output_activation", OUTPUT_ACTIVATION_NAMES
        )
    elif W_ho is not None:
        output_activation = Activation("identity")

    h0 = _initial_state(r, top.get("h0"), L * D, H)
    clip = None
    if "clip" in top:
        clip = r.number(top["clip"], "clip")
        if clip <= 0:
            raise r.error(top["clip"], "clip", "must be a positive number")
    return Network(
        layers=tuple(layers),
        h0=h0,
        W_ho=W_ho,
        b_o=b_o,
        activation=activation,
        output_activation=output_activation,
        direction=direction,
        clip=clip,
        name=r.scalar(top["name"], "name") if "name" in top else None,
    )


def _direction(r: NodeReader, node: yaml.Node | None) -> Direction:
    if node is None:
        return Direction.FORWARD
    text = r.text(node, "direction")
    if text not in set(Direction):
        choices = ", ".join(Direction)
        raise r.error(node, "direction", f"expected one of {choices}, got {shown(text)}")
    return Direction(text)


def _activation(
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


def _initial_state(r: NodeReader, node: yaml.Node | None, count: int, H: int) -> FloatArray:
    """h0: a vector of H for one layer and direction; else a list of `count` = L*D vectors."""
    if node is None:
        return np.zeros((count, H))
    nested = (
        isinstance(node, yaml.SequenceNode)
        and bool(node.value)
        and isinstance(node.value[0], yaml.SequenceNode)
    )
    if count == 1 and not nested:
        return r.vector(node, "h0", H, "H").reshape(1, H)
    if isinstance(node, yaml.SequenceNode) and node.value and not nested:
        raise r.error(
            node,
            "h0",
            f"is one vector, expected {count}x{H}: one state of H = {H} per layer and "
            "direction, as [[...], ...], layer by layer, forward first",
        )
    matrix = r.matrix(node, "h0")
    if matrix.shape != (count, H):
        raise r.error(
            node,
            "h0",
            f"is {shape(matrix)}, expected {count}x{H} (one state of H = {H} per layer "
            "and direction, layer by layer, forward first)",
        )
    return matrix
