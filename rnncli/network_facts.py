"""Facts about a network: its sizes and activations as the JSON output names them, its
biases, parameter count, and W_hh's spectral radius with what it means for the
activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.network import Network

_SATURATING = {"tanh", "sigmoid"}


def network_facts(net: Network) -> dict[str, Any]:
    """The network as the JSON output names it: name, input_size, hidden_size,
    output_size, activation and output_activation; num_layers and direction beyond one
    forward layer, and clip where set."""
    facts: dict[str, Any] = {
        "name": net.name,
        "input_size": net.input_size,
        "hidden_size": net.hidden_size,
        "output_size": net.output_size,
        "activation": str(net.activation),
        "output_activation": None if net.output_activation is None else str(net.output_activation),
    }
    if net.cell_kind != "rnn":
        facts["cell"] = net.cell_kind
    if not net.is_simple:
        facts["num_layers"] = net.num_layers
        facts["direction"] = str(net.direction)
    if net.clip is not None:
        facts["clip"] = net.clip
    return facts


def parameter_count(net: Network) -> int:
    """Per layer and direction W_xh (G*H*I) + W_hh (G*H*H) + its biases (2GH, GH or 0)
    (G gates: 1 for rnn, 4 lstm, 3 gru) and an LSTM's W_hr and peepholes; then W_ho
    (O*D*H) + b_o (O)."""
    count = 0
    for cell in net.cells:
        biases = {"two": 2 * cell.b_xh.size, "one": cell.b_xh.size, "none": 0}
        extras = (getattr(cell, name, None) for name in ("W_hr", "peepholes"))
        count += cell.W_xh.size + cell.W_hh.size + biases[cell.bias]
        count += sum(extra.size for extra in extras if extra is not None)
    if net.W_ho is not None:
        count += net.W_ho.size + net.output_size
    return count


def spectral_radius(net: Network) -> float:
    """rho(W_hh) = max |lambda| over the eigenvalues of W_hh (the largest over every
    layer and direction; for an LSTM or GRU over each gate's H x H block, times W_hr
    where an LSTM projects)."""
    radii = []
    for cell in net.cells:
        H = cell.cell_size
        W_hr = getattr(cell, "W_hr", None)
        for g in range(len(cell.gates) or 1):
            block = cell.W_hh[g * H : (g + 1) * H]
            square = block if W_hr is None else block @ W_hr
            radii.append(float(np.max(np.abs(np.linalg.eigvals(square)))))
    return max(radii)


def spectral_radius_note(radius: float, activation: str) -> str:
    """One plain sentence on what rho(W_hh) means for this activation."""
    if activation in _SATURATING:
        if radius > 1.05:
            return (
                f"Above 1: the state can grow until {activation} saturates, and gradients "
                "through time can explode."
            )
        if radius >= 0.95:
            return "About 1: a long memory, on the edge between fading and exploding."
        if radius >= 0.5:
            return "Below 1: the past fades gradually from step to step; a stable network."
        return (
            f"Far below 1: the network forgets fast (about {radius:.2g}x of the past is "
            "kept per step), so gradients vanish over long sequences."
        )
    if radius > 1.0:
        return (
            f"Above 1: with {activation} nothing bounds the state, so it can grow without "
            "limit over a long sequence and overflow."
        )
    if radius == 1.0:
        return "Exactly 1: the state neither fades nor grows along the leading direction."
    return f"Below 1: the past decays by about {radius:.2g}x per step."


def describe(net: Network) -> dict[str, Any]:
    """The facts `rnncli inspect` shows, as plain JSON-ready values."""
    radius = spectral_radius(net)
    return {
        **network_facts(net),
        "bias": net.bias,
        "parameters": parameter_count(net),
        "h0": net.h0[0].tolist() if net.is_simple else net.h0.tolist(),
        "spectral_radius": radius,
        "spectral_radius_note": spectral_radius_note(radius, net.activation.name),
    }
