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
    if not net.is_simple:
        facts["num_layers"] = net.num_layers
        facts["direction"] = str(net.direction)
    if net.clip is not None:
        facts["clip"] = net.clip
    return facts


def parameter_count(net: Network) -> int:
    """Per layer and direction W_xh (H*I) + W_hh (H*H) + its biases (2H, H or 0); then
    W_ho (O*D*H) + b_o (O)."""
    H = net.hidden_size
    biases = {"two": 2 * H, "one": H, "none": 0}
    count = sum(
        cell.W_xh.size + cell.W_hh.size + biases[cell.bias]
        for cells in net.layers
        for cell in cells
    )
    if net.W_ho is not None:
        count += net.W_ho.size + net.output_size
    return count


def spectral_radius(net: Network) -> float:
    """rho(W_hh) = max |lambda| over the eigenvalues of W_hh (the largest over every
    layer and direction)."""
    return max(
        float(np.max(np.abs(np.linalg.eigvals(cell.W_hh))))
        for cells in net.layers
        for cell in cells
    )


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
