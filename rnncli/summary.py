"""A network at a glance: sizes, activations, biases, parameter count, and W_hh's
spectral radius with what it means for the activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.formats import network_facts
from rnncli.rnn import Network

_SATURATING = {"tanh", "sigmoid"}


def parameter_count(net: Network) -> int:
    """W_xh (H*I) + W_hh (H*H) + its biases (2H, H or 0) + W_ho (O*H) + b_o (O)."""
    H, I = net.hidden_size, net.input_size
    count = H * I + H * H + {"two": 2 * H, "one": H, "none": 0}[net.bias]
    if net.has_output_layer:
        O = net.output_size
        count += O * H + O
    return count


def spectral_radius(net: Network) -> float:
    """rho(W_hh) = max |lambda| over the eigenvalues of W_hh."""
    return float(np.max(np.abs(np.linalg.eigvals(net.W_hh))))


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
