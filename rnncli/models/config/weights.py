"""The weights of a network config: where its blocks are, one block read and its shapes
checked, and the output layer.

A block is one cell's weights, `{W_xh, W_hh, b_xh, b_hh}` (or one `b_h`, or none): one
layer in one direction. read_block reads any such block against the shape it must have;
a cell with gates (LSTM's i, f, g, o; GRU's r, z, n) is one block per gate, each read by
it, all with the same H and inputs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import yaml

from rnncli.cells.activations import FloatArray
from rnncli.models.config.keys import CELL_KEYS, OUTPUT_KEYS, REQUIRED, WEIGHT_HINTS
from rnncli.models.config.yaml_nodes import NodeReader, shape
from rnncli.option_values import Direction

#: A block of weights in the config: its node, its key path and the keys it may hold.
Block = tuple[yaml.Node, str, tuple[str, ...]]


class WeightBlock(NamedTuple):
    """z = W_xh x + b_xh + W_hh h + b_hh: W_xh H x I, W_hh H x H, b_xh and b_hh H."""

    W_xh: FloatArray
    W_hh: FloatArray
    b_xh: FloatArray
    b_hh: FloatArray
    bias: str  # how the config gave the biases: "two", "one" (b_h) or "none"


class BlockShape(NamedTuple):
    """The shape a block must have, known from the blocks read before it."""

    H: int  # every layer and direction has the same H
    inputs: int  # I in layer 1; D*H above (D*P with a projection), the layer below's state
    reads_below: bool  # above layer 1


def weight_blocks(
    r: NodeReader,
    root: yaml.Node,
    top: dict[str, yaml.Node],
    direction: Direction,
    cell_keys: tuple[str, ...] = CELL_KEYS,
    hints: dict[str, str] = WEIGHT_HINTS,
) -> list[list[Block]]:
    """The weight blocks of every layer and direction: `weights:` (with `weights_reverse:`)
    for one layer, or `layers:`, each with its `reverse:`. `cell_keys` are the keys of
    one cell's block (an rnn's W_xh, W_hh and biases; an LSTM's gates too)."""
    two_way = direction is Direction.BIDIRECTIONAL
    if "weights" in top and "layers" in top:
        raise r.error(top["layers"], "layers", "give weights (one layer) or layers, not both")
    if "weights" in top:
        layer: list[Block] = [(top["weights"], "weights", (*cell_keys, *OUTPUT_KEYS))]
        if two_way:
            if "weights_reverse" not in top:
                raise r.error(top["weights"], "weights_reverse", "missing; bidirectional needs it")
            layer.append((top["weights_reverse"], "weights_reverse", cell_keys))
        elif "weights_reverse" in top:
            raise r.error(
                top["weights_reverse"], "weights_reverse", "needs direction: bidirectional"
            )
        return [layer]
    if "layers" not in top:
        raise r.error(root, "weights", "missing; the config needs `weights:` with W_xh and W_hh")
    items = top["layers"]
    if not isinstance(items, yaml.SequenceNode) or not items.value:
        raise r.error(items, "layers", "expected a list of weight blocks, one per layer")
    result: list[list[Block]] = []
    for k, item in enumerate(items.value):
        path = f"layers[{k}]"
        keys = r.mapping(item, path, (*cell_keys, "reverse"), hints, REQUIRED)
        layer = [(item, path, (*cell_keys, "reverse"))]
        if two_way:
            if "reverse" not in keys:
                raise r.error(item, f"{path}.reverse", "missing; bidirectional needs it")
            layer.append((keys["reverse"], f"{path}.reverse", cell_keys))
        elif "reverse" in keys:
            raise r.error(keys["reverse"], f"{path}.reverse", "needs direction: bidirectional")
        result.append(layer)
    return result


def read_block(
    r: NodeReader,
    node: yaml.Node,
    weights: dict[str, yaml.Node],
    path: str,
    expected: BlockShape | None,
    gates: tuple[str, ...] = (),
    projection: int | None = None,
) -> WeightBlock:
    """One block of weights, the keys of `node` at `path`; `expected` is the shape it must
    have (None for the first block, which sets H and I).

    `gates` names the G gates stacked in its rows, in order (PyTorch's stacked LSTM: i, f,
    g, o; then W_xh is G·H x I, W_hh G·H x H, the biases G·H); () for one block of H rows.
    `projection` is P where W_hh reads a projected state (an LSTM's W_hr): W_hh is then
    G·H x P.
    """
    G = max(1, len(gates))
    for required in ("W_xh", "W_hh"):
        if required not in weights:
            raise r.error(node, f"{path}.{required}", "missing")
    W_xh = r.matrix(weights["W_xh"], f"{path}.W_xh")
    rows = W_xh.shape[0]
    stacked = f"{G}H" if G > 1 else "H"  # the rows' name: H, or 4H for four gates
    if rows % G:
        raise r.error(
            weights["W_xh"],
            f"{path}.W_xh",
            f"has {rows} rows, not a multiple of {G}: the gates {', '.join(gates)} are "
            f"stacked in its rows, {stacked} x I",
        )
    if expected is not None:
        _check_W_xh(r, weights["W_xh"], f"{path}.W_xh", W_xh, expected, G)
    H, I = rows // G, W_xh.shape[1]
    W_hh = r.matrix(weights["W_hh"], f"{path}.W_hh")
    if G == 1 and projection is None and W_hh.shape != (H, H):
        hint = ""
        if W_hh.shape == (I, I):
            hint = (
                f"; or is W_xh transposed? It must be H x I = {I}x{H} (hidden x input), "
                "and a Keras kernel is stored as input x hidden"
            )
        raise r.error(
            weights["W_hh"],
            f"{path}.W_hh",
            f"is {shape(W_hh)}, expected {H}x{H} (H x H, with H = {H} from W_xh's rows)" + hint,
        )
    H_r = H if projection is None else projection  # the width of the state W_hh reads
    if W_hh.shape != (rows, H_r):
        sizes = f"H = {H} from W_xh's rows" + (
            "" if projection is None else f" and P = {projection} from W_hr's rows"
        )
        columns = "H" if projection is None else "P"
        raise r.error(
            weights["W_hh"],
            f"{path}.W_hh",
            f"is {shape(W_hh)}, expected {rows}x{H_r} ({stacked} x {columns}, with {sizes})",
        )
    bias = "none"
    b_xh: FloatArray = np.zeros(rows)
    b_hh: FloatArray = np.zeros(rows)
    if "b_h" in weights:
        for two in ("b_xh", "b_hh"):
            if two in weights:
                raise r.error(
                    weights[two], f"{path}.{two}", "give one bias b_h or b_xh and b_hh, not both"
                )
        b_xh, bias = r.vector(weights["b_h"], f"{path}.b_h", rows, stacked), "one"
    if "b_xh" in weights:
        b_xh, bias = r.vector(weights["b_xh"], f"{path}.b_xh", rows, stacked), "two"
    if "b_hh" in weights:
        b_hh, bias = r.vector(weights["b_hh"], f"{path}.b_hh", rows, stacked), "two"
    return WeightBlock(W_xh, W_hh, b_xh, b_hh, bias)


def _check_W_xh(
    r: NodeReader,
    node: yaml.Node,
    path: str,
    W_xh: FloatArray,
    expected: BlockShape,
    G: int = 1,
) -> None:
    """W_xh is (G·)H x inputs: the first block's H, and the input size or the layer below's."""
    H, inputs = G * expected.H, expected.inputs
    if expected.reads_below and W_xh.shape[1] != inputs:
        raise r.error(
            node,
            path,
            f"is {shape(W_xh)}, expected {W_xh.shape[0]}x{inputs} (this layer reads the "
            f"{inputs} values of the layer below)",
        )
    if W_xh.shape != (H, inputs):
        raise r.error(
            node,
            path,
            f"is {shape(W_xh)}, expected {H}x{inputs} (every layer and direction has the same H)",
        )


def output_layer(
    r: NodeReader,
    top: dict[str, yaml.Node],
    keys: dict[str, yaml.Node],
    path: str,
    state_size: int,
) -> tuple[FloatArray | None, FloatArray | None]:
    """W_ho and b_o: in `weights:` (one layer; `keys` are the first block's, at `path`)
    or in `output:` (any network); W_ho reads the top layer's state of `state_size`."""
    if "output" in top:
        if "W_ho" in keys or "b_o" in keys:
            raise r.error(top["output"], "output", f"give W_ho in {path} or in output, not both")
        node, path = top["output"], "output"
        keys = r.mapping(node, path, OUTPUT_KEYS, WEIGHT_HINTS, REQUIRED)
    if "W_ho" not in keys:
        if "b_o" in keys:
            raise r.error(keys["b_o"], f"{path}.b_o", "needs the output layer W_ho")
        if "output_size" in top:
            raise r.error(top["output_size"], "output_size", "needs the output layer W_ho")
        return None, None
    W_ho = r.matrix(keys["W_ho"], f"{path}.W_ho")
    if W_ho.shape[1] != state_size:
        hint = "; transposed?" if W_ho.shape[0] == state_size else ""
        raise r.error(
            keys["W_ho"],
            f"{path}.W_ho",
            f"is {shape(W_ho)}, expected {W_ho.shape[0]}x{state_size} "
            f"(O x H: one column per hidden unit, H = {state_size}){hint}",
        )
    O = W_ho.shape[0]
    check_size_key(r, top, "output_size", O, "W_ho has", "rows")
    b_o = r.vector(keys["b_o"], f"{path}.b_o", O, "O") if "b_o" in keys else np.zeros(O)
    return W_ho, b_o


def check_size_key(
    r: NodeReader, top: dict[str, yaml.Node], key: str, actual: int, owner: str, what: str
) -> None:
    """A size key (`hidden_size: 4`), where given, must agree with the arrays."""
    if key not in top:
        return
    given = r.count(top[key], key)
    if given != actual:
        raise r.error(top[key], key, f"is {given} but {owner} {actual} {what}")
