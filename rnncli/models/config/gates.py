"""An LSTM's or a GRU's block of weights in a network config: per gate or stacked.

Two forms give the same cell (G gates: an LSTM's i, f, g, o; a GRU's r, z, n):

- per gate, `{i: {W_xh, W_hh, b_xh, b_hh}, f: ..., g: ..., o: ...}`, each gate a block
  of H rows read by models.config.weights.read_block (two biases, one b_h, or none);
- stacked, PyTorch's `{W_xh: G·H x I, W_hh: G·H x H, b_xh: G·H, b_hh: G·H}`, the row
  blocks in the order above.

Either way the block becomes the stacked arrays the cells take. An LSTM's block may add
its projection `W_hr` (P x H: then W_hh reads P values, G·H x P) and `peepholes: {i, o,
f}` (H each).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import yaml

from rnncli.cells.activations import FloatArray
from rnncli.cells.kinds import GATES
from rnncli.models.config.keys import GATE_BLOCK_HINTS, GATE_KEYS, PEEPHOLE_KEYS, REQUIRED
from rnncli.models.config.weights import BlockShape, WeightBlock, read_block
from rnncli.models.config.yaml_nodes import NodeReader, shape


class GatedBlock(NamedTuple):
    """One LSTM or GRU cell's weights, stacked in PyTorch's gate order."""

    weights: WeightBlock  # W_xh G·H x I, W_hh G·H x H_r, b_xh and b_hh G·H
    W_hr: FloatArray | None  # P x H, an LSTM's projection; then H_r = P
    peepholes: FloatArray | None  # 3 x H, the rows p_i, p_o, p_f (ONNX's order)


def read_gated_block(
    r: NodeReader,
    kind: str,
    node: yaml.Node,
    keys: dict[str, yaml.Node],
    path: str,
    expected: BlockShape | None,
    projection: int | None,
) -> GatedBlock:
    """The block `keys` of `node` at `path` of a cell of `kind` (lstm or gru), against
    `expected` (None for the first block, which sets H and I) and, beyond the first
    block, the first block's projection P (None without one)."""
    gates = GATES[kind]
    if kind != "lstm":
        for extra in ("W_hr", "peepholes"):
            if extra in keys:
                raise r.error(keys[extra], f"{path}.{extra}", f"for cell: lstm only, not {kind}")
    W_hr = None
    if "W_hr" in keys:
        W_hr = r.matrix(keys["W_hr"], f"{path}.W_hr")
        if expected is not None and projection is None:
            raise r.error(
                keys["W_hr"],
                f"{path}.W_hr",
                "the first block has no projection; give W_hr in every block or in none",
            )
        if projection is not None and W_hr.shape[0] != projection:
            raise r.error(
                keys["W_hr"],
                f"{path}.W_hr",
                f"is {shape(W_hr)}, expected {projection} rows (P = {projection} from the "
                "first block's W_hr: every layer and direction projects to the same P)",
            )
    elif projection is not None:
        raise r.error(
            node, f"{path}.W_hr", f"missing; the first block projects to P = {projection}"
        )
    P = None if W_hr is None else int(W_hr.shape[0])

    per_gate = [gate for gate in gates if gate in keys]
    stacked = [key for key in GATE_KEYS if key in keys]
    if per_gate and stacked:
        raise r.error(
            keys[stacked[0]],
            f"{path}.{stacked[0]}",
            f"give the gates {', '.join(gates)} or the stacked W_xh and W_hh "
            f"({len(gates)}H rows), not both",
        )
    if per_gate:
        weights = _per_gate(r, gates, node, keys, path, expected, P)
    else:
        weights = read_block(r, node, keys, path, expected, gates, P)
    H = weights.W_xh.shape[0] // len(gates)
    if W_hr is not None and W_hr.shape[1] != H:
        raise r.error(
            keys["W_hr"],
            f"{path}.W_hr",
            f"is {shape(W_hr)}, expected {W_hr.shape[0]}x{H} (P x H, with H = {H} from "
            "W_xh's rows)",
        )
    peepholes = None
    if "peepholes" in keys:
        peepholes = _peepholes(r, keys["peepholes"], f"{path}.peepholes", H)
    return GatedBlock(weights, W_hr, peepholes)


def _per_gate(
    r: NodeReader,
    gates: tuple[str, ...],
    node: yaml.Node,
    keys: dict[str, yaml.Node],
    path: str,
    expected: BlockShape | None,
    P: int | None,
) -> WeightBlock:
    """The gates' blocks, each of H rows, stacked in order; every gate is read against
    the first (or `expected`)."""
    blocks: list[WeightBlock] = []
    for gate in gates:
        if gate not in keys:
            raise r.error(
                node, f"{path}.{gate}", f"missing; the block needs the gates {', '.join(gates)}"
            )
        gate_path = f"{path}.{gate}"
        gate_keys = r.mapping(keys[gate], gate_path, GATE_KEYS, GATE_BLOCK_HINTS, REQUIRED)
        block = read_block(r, keys[gate], gate_keys, gate_path, expected, projection=P)
        if expected is None:
            H, I = block.W_xh.shape
            expected = BlockShape(H, I, reads_below=False)
        blocks.append(block)
    forms = {block.bias for block in blocks}
    # Gates that give their biases differently are held as two (zeros where none).
    bias = forms.pop() if len(forms) == 1 else "two"
    return WeightBlock(
        np.vstack([b.W_xh for b in blocks]),
        np.vstack([b.W_hh for b in blocks]),
        np.concatenate([b.b_xh for b in blocks]),
        np.concatenate([b.b_hh for b in blocks]),
        bias,
    )


def _peepholes(r: NodeReader, node: yaml.Node, path: str, H: int) -> FloatArray:
    """`{i: [H], o: [H], f: [H]}` as the rows p_i, p_o, p_f."""
    keys = r.mapping(node, path, PEEPHOLE_KEYS, {}, frozenset(PEEPHOLE_KEYS))
    rows = []
    for gate in PEEPHOLE_KEYS:
        if gate not in keys:
            raise r.error(node, f"{path}.{gate}", "missing; peepholes are i, o and f, H each")
        rows.append(r.vector(keys[gate], f"{path}.{gate}", H, "H"))
    return np.vstack(rows)
