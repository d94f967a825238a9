"""The gradients of one BPTT by name: the config's names for them, a gated cell's split
by gate, their one norm, and clipping as torch.nn.utils does it."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.network import Network

#: The gradients by name, in the order they are shown (W_xh, W_hh, biases, W_ho, b_o, h0).
Gradients = dict[str, FloatArray]


def named_gradients(net: Network, grads: dict[str, Any]) -> Gradients:
    """The gradients under the config's names: b_xh and b_hh, b_h (the config's one bias
    is b_xh, b_hh = 0), or no bias; a gated cell's hold its gates stacked (gate_blocks
    splits them). grads has "b" for both biases, or "b_xh" and "b_hh"."""
    named: Gradients = {"W_xh": grads["W_xh"], "W_hh": grads["W_hh"]}
    b_xh = grads["b_xh"] if "b_xh" in grads else grads["b"]
    b_hh = grads["b_hh"] if "b_hh" in grads else grads["b"].copy()
    if net.cell.bias == "two":
        named["b_xh"], named["b_hh"] = b_xh, b_hh
    elif net.cell.bias == "one":
        named["b_h"] = b_xh
    if net.W_ho is not None:
        named["W_ho"], named["b_o"] = grads["W_ho"], grads["b_o"]
    named["h0"] = grads["h0"]
    if "c0" in grads:
        named["c0"] = grads["c0"]
    return named


#: The gradients of states, not parameters: clipping and the norm leave them out.
STATES = ("h0", "c0")


def gate_blocks(net: Network, gradients: Gradients) -> dict[str, Any]:
    """The gradients as the config gives a gated cell's weights: each gate's W_xh, W_hh
    and biases under its letter ({"i": {"W_xh": ...}, ...}), then W_ho, b_o, h0 (c0).
    An Elman cell's stay as they are."""
    gates = net.gates
    if not gates:
        return dict(gradients)
    H = net.cell_size
    blocks: dict[str, Any] = {}
    for k, gate in enumerate(gates):
        rows = slice(k * H, (k + 1) * H)
        blocks[gate] = {
            name: gradients[name][rows]
            for name in ("W_xh", "W_hh", "b_xh", "b_hh", "b_h")
            if name in gradients
        }
    for name in ("W_ho", "b_o", "h0", "c0"):
        if name in gradients:
            blocks[name] = gradients[name]
    return blocks


# -- clipping, as torch.nn.utils does it ----------------------------------------------


def parameter_norm(gradients: Gradients) -> float:
    """The one L2 norm over every parameter's gradient (h_0 and c_0 are states, not
    parameters)."""
    squares = sum(float(np.sum(g**2)) for name, g in gradients.items() if name not in STATES)
    return float(np.sqrt(squares))


def clip_norm(gradients: Gradients, max_norm: float) -> Gradients:
    """clip_grad_norm_: every parameter's gradient times min(1, C / (||g|| + 1e-6))."""
    factor = min(1.0, max_norm / (parameter_norm(gradients) + 1e-6))
    return {name: g if name in STATES else g * factor for name, g in gradients.items()}


def clip_value(gradients: Gradients, limit: float) -> Gradients:
    """clip_grad_value_: every element of every parameter's gradient into [-C, C]."""
    return {
        name: g if name in STATES else np.clip(g, -limit, limit) for name, g in gradients.items()
    }
