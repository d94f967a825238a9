"""YAML config -> ModelForm -> Network: what a network config holds, checked with the
place of every mistake, read into the form every model reader gives (rnncli.models.form),
whose to_network builds the network. The keys are listed in the README ("Stacked layers,
directions, activations, clip" and "LSTM and GRU"); the YAML is read by yaml_nodes, the
cell and its options by models.config.cell, the weight blocks by models.config.weights
(an lstm's or gru's by models.config.gates).

Each shape is checked once, here: a block's W_xh, W_hh and biases in
weights.read_block against the first block's H and I (an lstm's or gru's gates
each such a block, or one stacked); W_ho in weights.output_layer; h0 and c0 in
initial_state; the size keys against the arrays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.kinds import GATES
from rnncli.core.input_scale import Scale
from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_CONFIG_BYTES, decode_text, read_bytes, source_name
from rnncli.message_words import shown
from rnncli.models.config.cell import cell_kind, cell_options, direction_weights, read_activation
from rnncli.models.config.gates import GatedBlock, read_gated_block
from rnncli.models.config.keys import (
    CELL_KEYS,
    GATE_HINTS,
    GATED_EXTRAS,
    REQUIRED,
    SCALE_KEYS,
    TOP_HINTS,
    TOP_KEYS,
    WEIGHT_HINTS,
)
from rnncli.models.config.weights import (
    BlockShape,
    WeightBlock,
    check_size_key,
    output_layer,
    read_block,
    weight_blocks,
)
from rnncli.models.config.yaml_fast import composed
from rnncli.models.config.yaml_nodes import ROOT, NodeReader, compose, shape
from rnncli.models.form import DirectionWeights, ModelForm, to_network
from rnncli.option_values import ACTIVATION_NAMES, OUTPUT_ACTIVATION_NAMES, Direction

BUILTIN_CONFIG = "textbook.yaml"


def read_config_file(path: str) -> Network:
    """The YAML network config at `path` (`-` for standard input)."""
    source = source_name(path)
    return parse_config(
        decode_text(read_bytes(path, "YAML config", MAX_CONFIG_BYTES), source), source
    )


def default_network() -> Network:
    """The built-in network: the textbook's nn.RNN(5, 2) with torch.manual_seed(1)."""
    # Beside the package's modules in a checkout and in an installed wheel alike (read
    # as a path: importlib.resources and its zipfile cost more than the read).
    text = (Path(__file__).parents[2] / BUILTIN_CONFIG).read_text(encoding="utf-8")
    return parse_config(text, f"<built-in {BUILTIN_CONFIG}>")


def parse_config(text: str, source: str) -> Network:
    """The network described by the YAML `text`; `source` names it in messages."""
    return to_network(config_form(text, source))


def config_form(text: str, source: str) -> ModelForm:
    """The YAML `text` read into the form every model reader gives (rnncli.models.form).

    The fast tree (yaml_fast) is read first; where it is refused or holds any mistake,
    the file is read again into the tree with every node's line and column, which reads
    the same values and names the mistake's place."""
    fast = composed(text)
    if fast is not None and fast[0] is not None:
        r = NodeReader(source)
        try:
            r.check_tree(fast[0])
            return _form(r, fast[0])
        except RnnCliError:
            pass
    root = compose(text, source)
    if root is None:
        raise RnnCliError(
            f"{source}: is empty; a config needs at least `weights:` with W_xh and W_hh"
        )
    r = NodeReader(source)
    r.check_tree(root)
    return _form(r, root)


def _form(r: NodeReader, root: yaml.Node) -> ModelForm:
    top = r.mapping(root, ROOT, TOP_KEYS, TOP_HINTS, REQUIRED)
    kind = cell_kind(r, top)
    options = cell_options(r, top)
    gates = GATES[kind]
    cell_keys = (*gates, *CELL_KEYS, *GATED_EXTRAS) if gates else CELL_KEYS
    hints = {**WEIGHT_HINTS, **GATE_HINTS.get(kind, {})}
    required = REQUIRED | set(gates)
    activation = read_activation(r, top.get("activation"), "activation", ACTIVATION_NAMES)
    clip = None
    if "clip" in top:
        clip = r.number(top["clip"], "clip")
        if clip <= 0:
            raise r.error(top["clip"], "clip", "must be a positive number")
    direction = _direction(r, top.get("direction"))
    D = 2 if direction is Direction.BIDIRECTIONAL else 1
    blocks = weight_blocks(r, root, top, direction, cell_keys, hints)

    # An rnn's cell is one block; an lstm's or gru's one block per gate or stacked. Layer
    # 1's first block sets H and I (W_xh's rows per gate and columns) and, with an lstm's
    # projection W_hr, P; every other block is read against them.
    layers: list[list[DirectionWeights]] = []
    H = I = 0
    P: int | None = None
    for k, directions in enumerate(blocks):
        cells: list[DirectionWeights] = []
        for node, path, allowed in directions:
            weights = r.mapping(node, path, allowed, hints, required)
            first = not layers and not cells
            below = D * (P or H)  # the state of the layer below: D*H, or D*P projected
            expected = None if first else BlockShape(H, below if k else I, reads_below=k > 0)
            block: WeightBlock | GatedBlock
            if gates:
                block = read_gated_block(r, kind, node, weights, path, expected, P)
            else:
                block = read_block(r, node, weights, path, expected)
            W_xh = block.weights.W_xh if isinstance(block, GatedBlock) else block.W_xh
            if first:
                first_weights, first_path = weights, path
                H, I = W_xh.shape[0] // max(1, len(gates)), W_xh.shape[1]
                if isinstance(block, GatedBlock) and block.W_hr is not None:
                    P = block.W_hr.shape[0]
                owner = "each gate's W_xh has" if gates else "W_xh has"
                check_size_key(r, top, "hidden_size", H, owner, "rows")
                check_size_key(r, top, "input_size", I, "W_xh has", "columns")
            cells.append(direction_weights(block))
        layers.append(cells)
    L = len(layers)
    check_size_key(r, top, "num_layers", L, "the config has", "layers")

    W_ho, b_o = output_layer(r, top, first_weights, first_path, D * (P or H))
    output_activation: Activation | None = None
    if "output_activation" in top:
        if W_ho is None:
            raise r.error(
                top["output_activation"],
                "output_activation",
                "needs an output layer (W_ho); without one o_t = h_t",
            )
        output_activation = read_activation(
            r, top["output_activation"], "output_activation", OUTPUT_ACTIVATION_NAMES
        )
    elif W_ho is not None:
        output_activation = Activation("identity")

    h0 = _initial_state(r, top.get("h0"), L * D, P or H, "h0", "P" if P else "H")
    c0 = _initial_state(r, top["c0"], L * D, H, "c0", "H") if "c0" in top else None
    return ModelForm(
        source=r.source,
        format="rnncli config",
        layers=layers,
        direction=direction,
        cell=kind,
        options=options._replace(activation=activation, clip=clip),
        W_o=W_ho,
        b_o=b_o,
        output_activation=output_activation,
        h0=h0,
        c0=c0,
        name=r.scalar(top["name"], "name") if "name" in top else None,
        scale=_scale(r, top["scale"], I) if "scale" in top else None,
    )


def _scale(r: NodeReader, node: yaml.Node, I: int) -> Scale:
    """scale: {mean: [...], std: [...]}, I values each, every std > 0: x_t is read as
    (x_t - mean) / std, as a fitted StandardScaler transforms it."""
    keys = r.mapping(node, "scale", SCALE_KEYS, hints={}, required=frozenset(SCALE_KEYS))
    for key in SCALE_KEYS:
        if key not in keys:
            raise r.error(node, f"scale.{key}", f"missing; scale needs mean and std, I = {I} each")
    mean = r.vector(keys["mean"], "scale.mean", I, "I")
    std = r.vector(keys["std"], "scale.std", I, "I")
    for i, value in enumerate(std.tolist()):
        if value <= 0:
            raise r.error(
                keys["std"].value[i], f"scale.std[{i}]", f"is {value!r}; every std must be > 0"
            )
    return Scale(mean=mean, std=std)


def _direction(r: NodeReader, node: yaml.Node | None) -> Direction:
    if node is None:
        return Direction.FORWARD
    text = r.text(node, "direction")
    if text not in set(Direction):
        choices = ", ".join(Direction)
        raise r.error(node, "direction", f"expected one of {choices}, got {shown(text)}")
    return Direction(text)


def _initial_state(
    r: NodeReader, node: yaml.Node | None, count: int, H: int, key: str = "h0", size: str = "H"
) -> FloatArray:
    """h0 (or c0): a vector of H for one layer and direction; else a list of `count` = L*D
    vectors. `size` names H in messages (P for the h0 of an lstm with a projection)."""
    if node is None:
        return np.zeros((count, H))
    nested = (
        isinstance(node, yaml.SequenceNode)
        and bool(node.value)
        and isinstance(node.value[0], yaml.SequenceNode)
    )
    if count == 1 and not nested:
        return r.vector(node, key, H, size).reshape(1, H)
    if isinstance(node, yaml.SequenceNode) and node.value and not nested:
        raise r.error(
            node,
            key,
            f"is one vector, expected {count}x{H}: one state of {size} = {H} per layer and "
            "direction, as [[...], ...], layer by layer, forward first",
        )
    matrix = r.matrix(node, key)
    if matrix.shape != (count, H):
        raise r.error(
            node,
            key,
            f"is {shape(matrix)}, expected {count}x{H} (one state of {size} = {H} per layer "
            "and direction, layer by layer, forward first)",
        )
    return matrix
