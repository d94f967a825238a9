"""Facts about a network: its sizes and activations as the JSON output names them, its
biases, parameter count, and W_hh's spectral radius with what it means for the
activation."""

from __future__ import annotations

from typing import Any

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.cells.elman import RecurrentCell
from rnncli.core.network import Network

_SATURATING = {"tanh", "sigmoid"}


def network_facts(net: Network) -> dict[str, Any]:
    """The network as the JSON output names it: name, input_size, hidden_size,
    output_size, activation and output_activation; the cell when it is not the rnn,
    num_layers and direction beyond one forward layer, and clip where set."""
    facts: dict[str, Any] = {"name": net.name}
    if net.cell_kind != "rnn":
        facts["cell"] = net.cell_kind
    facts |= {
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
    """As PyTorch counts it: per layer and direction W_xh (G·H x inputs) + W_hh (G·H x H,
    or x P) + its biases (2·G·H, G·H with one b_h, or 0), G the gates (rnn 1, lstm 4,
    gru 3), + an LSTM's W_hr (P x H) and peepholes (3H, ONNX's); then W_ho (O x D*H) +
    b_o (O). An lstm: 4(H·I + H·H + 2H) per layer and direction."""
    count = 0
    for cell in net.cells:
        rows = cell.W_xh.shape[0]  # G·H
        count += cell.W_xh.size + cell.W_hh.size + {"two": 2 * rows, "one": rows}.get(cell.bias, 0)
        count += sum(a.size for a in (cell.W_hr, cell.peepholes) if a is not None)
    if net.W_ho is not None:
        count += net.W_ho.size + net.output_size
    return count


def spectral_radius(net: Network) -> float:
    """rho(W_hh) = max |lambda| over the eigenvalues of W_hh (the largest over every
    layer and direction, and for an LSTM or GRU over every gate)."""
    gates = gate_spectral_radii(net)
    if gates:
        return max(gates.values())
    return max(_radius(cell.W_hh) for cell in net.cells)


def gate_spectral_radii(net: Network) -> dict[str, float]:
    """Each gate's rho(W_hh^g), the H rows of W_hh that drive it, the largest over every
    layer and direction ({} for an rnn). With an LSTM's projection h = W_hr (...), the
    state feeds the gate through the H x H matrix W_hh^g W_hr."""
    cell = net.cell
    if not cell.gates:
        return {}
    radii: dict[str, float] = {}
    for j, gate in enumerate(cell.gates):
        radii[gate] = max(_radius(_gate_recurrence(c, j)) for c in net.cells)
    return radii


def _gate_recurrence(cell: RecurrentCell, j: int) -> FloatArray:
    """W_hh^g of gate j: its H rows of W_hh (times W_hr with a projection)."""
    H = cell.W_xh.shape[0] // len(cell.gates)
    W_hh_g = cell.W_hh[j * H : (j + 1) * H]
    if cell.W_hr is not None:
        return W_hh_g @ cell.W_hr
    return W_hh_g


def _radius(W: FloatArray) -> float:
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def gate_radius_note(kind: str, radii: dict[str, float]) -> str:
    """One plain sentence on what the gates' radii mean for an LSTM or a GRU."""
    memory = (
        "An LSTM keeps its long memory in c_t through the forget gate f (f near 1 keeps it)"
        if kind == "lstm"
        else "A GRU keeps its memory through the update gate z (z near 1 keeps h_(t-1))"
    )
    above = [gate for gate, radius in radii.items() if radius > 1.0]
    if above:
        return (
            f"{memory}, not through W_hh; each radius says how strongly h_(t-1) drives that "
            f"gate: above 1 for {', '.join(above)}, which the state alone can saturate."
        )
    return (
        f"{memory}, not through W_hh; each radius says how strongly h_(t-1) drives that "
        "gate: all below 1, so the gates follow the input x_t more than the state."
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
    facts = {
        **network_facts(net),
        "bias": net.bias,
        "parameters": parameter_count(net),
        "h0": net.h0[0].tolist() if net.is_simple else net.h0.tolist(),
        "spectral_radius": radius,
        "spectral_radius_note": spectral_radius_note(radius, net.activation.name),
    }
    cell, options = net.cell, net.cell.options
    if cell.gates:
        radii = gate_spectral_radii(net)
        names = cell.gate_meanings
        facts["gates"] = {
            gate: {"name": names[gate], "spectral_radius": radii[gate]} for gate in cell.gates
        }
        facts["spectral_radius_note"] = gate_radius_note(cell.kind, radii)
        facts["recurrent_activation"] = str(options.recurrent_activation)
    if cell.kind == "lstm":
        facts["state_activation"] = str(options.state_activation or net.activation)
        facts["input_forget"] = options.input_forget
        facts["projection_size"] = None if cell.W_hr is None else int(cell.W_hr.shape[0])
        facts["peepholes"] = cell.peepholes is not None
        if net.c0 is not None:
            facts["c0"] = net.c0[0].tolist() if net.is_simple else net.c0.tolist()
    if cell.kind == "gru":
        facts["reset_after"] = options.reset_after
    return facts
