"""--explain for an LSTM's and a GRU's backward: the step back gate by gate, numbers
substituted, for the last step T and the one before it (as views.backward.explain writes the
Elman cell's). The lines write a gate's value in brackets, [o]_t, apart from the output
o_t and the pre-activations z^gate_t.

LSTM (gates i, f, g, o; σ' and tanh' the slopes):

    dL/do   = dL/dh_t ⊙ tanh(c_t)
    dL/dc_t = dL/dh_t ⊙ o ⊙ tanh'(c_t) + dL/dc_{t+1} ⊙ f_{t+1}
    dL/di = dL/dc_t ⊙ g    dL/df = dL/dc_t ⊙ c_{t-1}    dL/dg = dL/dc_t ⊙ i
    dL/dz^gate = dL/dgate ⊙ (the gate's activation)'(z^gate)

GRU (gates r, z, n; a^r, a^z, a^n their pre-activations):

    dL/dn = (1 − z) ⊙ dL/dh_t          dL/dz = (h_{t-1} − n) ⊙ dL/dh_t
    dL/da^n = tanh'(a^n) ⊙ dL/dn       dL/dr = dL/da^n ⊙ (W_hh^n h_{t-1} + b_hh^n)
    dL/da^r = σ'(a^r) ⊙ dL/dr          dL/da^z = σ'(a^z) ⊙ dL/dz
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnncli.cells.elman import RecurrentCell
from rnncli.cells.slopes import slope
from rnncli.views.backward.explain import output_lines, steps_explained, vector_text
from rnncli.views.backward.report import BackwardReport


def gated_explain_lines(report: BackwardReport, precision: int = 4) -> list[str]:
    """The backward equations of an LSTM's or a GRU's steps T and T - 1, per gate."""
    cell = report.net.cell
    future = "W_hh^T ∂L/∂z_{t+1}" if cell.kind == "lstm" else "∂L/∂h_t from step {t+1}"
    kind_lines = _LINES.get(cell.kind)
    lines: list[str] = []
    for t in steps_explained(len(report.result.X)):
        lines.extend(output_lines(report, t, precision, future))
        if kind_lines is not None:
            lines.extend(kind_lines(report, cell, t, precision))
    return lines


def _gate_lines(
    dgate: dict[str, Any], slopes: dict[str, Any], slope_names: dict[str, str], t: int, p: int
) -> list[str]:
    """dL/dz^gate = dL/dgate ⊙ slope, one line per gate."""
    return [
        f"  ∂L/∂z^{gate}_{t} = ∂L/∂[{gate}]_{t} ⊙ {slope_names[gate]}(z^{gate}_{t}) = "
        f"{vector_text(dgate[gate], p)} ⊙ {vector_text(slopes[gate], p)} = "
        f"{vector_text(dgate[gate] * slopes[gate], p)}"
        for gate in dgate
    ]


def _split(cell: RecurrentCell, row: Any) -> dict[str, Any]:
    """One step's stacked gate rows (GH) as {gate: H values}."""
    H = cell.cell_size
    return {gate: row[k * H : (k + 1) * H] for k, gate in enumerate(cell.gates)}


def _lstm_lines(report: BackwardReport, cell: RecurrentCell, t: int, p: int) -> list[str]:
    r, T, k = report.result, len(report.result.X), t - 1
    state_act = cell.options.state_activation or cell.activation
    gate = cell.gate_values(r.Z[k])
    i, f, g, o = gate["i"], gate["f"], gate["g"], gate["o"]
    c_t, c_prev = r.states[1][k], r.before[1][k]
    dh_t = r.dH[k]
    # What step t + 1 sends to c_t: f_{t+1} ⊙ dL/dc_{t+1} (nothing after T, or at the end
    # of a --truncate chunk: c_t.detach()).
    cut = t == T or (report.truncate is not None and t % report.truncate == 0)
    dc_next = np.zeros_like(c_t) if cut or r.dC is None else r.dC[k + 1]
    f_next = np.zeros_like(c_t) if cut else cell.gate_values(r.Z[k + 1])["f"]
    from_h = dh_t * o * slope(state_act, c_t)
    dc_t = from_h + dc_next * f_next
    d = {"i": dc_t * g, "f": dc_t * c_prev, "g": dc_t * i, "o": dh_t * state_act(c_t)}
    lines = [
        f"  ∂L/∂[o]_{t} = ∂L/∂h_{t} ⊙ tanh(c_{t}) = {vector_text(dh_t, p)} ⊙ "
        f"{vector_text(state_act(c_t), p)} = {vector_text(d['o'], p)}",
        f"  ∂L/∂c_{t} = ∂L/∂h_{t} ⊙ [o]_{t} ⊙ tanh'(c_{t}) + ∂L/∂c_{t + 1} ⊙ [f]_{t + 1} = "
        f"{vector_text(dh_t, p)} ⊙ {vector_text(o, p)} ⊙ "
        f"{vector_text(slope(state_act, c_t), p)} + {vector_text(dc_next, p)} ⊙ "
        f"{vector_text(f_next, p)} = {vector_text(dc_t, p)}",
        f"  ∂L/∂[i]_{t} = ∂L/∂c_{t} ⊙ [g]_{t} = {vector_text(d['i'], p)}    "
        f"∂L/∂[f]_{t} = ∂L/∂c_{t} ⊙ c_{t - 1} = {vector_text(d['f'], p)}    "
        f"∂L/∂[g]_{t} = ∂L/∂c_{t} ⊙ [i]_{t} = {vector_text(d['g'], p)}",
    ]
    if cell.options.input_forget:
        lines.append(f"  f = 1 − i: ∂L/∂[i]_{t} −= ∂L/∂[f]_{t}, and z^f is not used")
        d["i"], d["f"] = d["i"] - d["f"], 0 * d["f"]
    d = {gate: d[gate] for gate in cell.gates}
    names = {"i": "σ'", "f": "σ'", "g": "tanh'", "o": "σ'"}
    lines.extend(_gate_lines(d, _split(cell, cell.slopes(r.Z[k])), names, t, p))
    lines.append(
        f"  sent back: ∂L/∂c_{t - 1} = [f]_{t} ⊙ ∂L/∂c_{t} = {vector_text(f * dc_t, p)}, "
        f"∂L/∂h_{t - 1} = W_hh^T ∂L/∂z_{t}"
    )
    return lines


def _gru_lines(report: BackwardReport, cell: RecurrentCell, t: int, p: int) -> list[str]:
    r, k = report.result, t - 1
    H = cell.cell_size
    gate = cell.gate_values(r.Z[k])
    g_z, g_n = gate["z"], gate["n"]
    h_prev, dh_t = r.before[0][k], r.dH[k]
    slopes = _split(cell, cell.slopes(r.Z[k]))
    d_n = (1 - g_z) * dh_t
    d_z = (h_prev - g_n) * dh_t
    da_n = slopes["n"] * d_n
    W_n = cell.W_hh[2 * H :]
    lines = [
        f"  ∂L/∂[n]_{t} = (1 − [z]_{t}) ⊙ ∂L/∂h_{t} = {vector_text(1 - g_z, p)} ⊙ "
        f"{vector_text(dh_t, p)} = {vector_text(d_n, p)}",
        f"  ∂L/∂[z]_{t} = (h_{t - 1} − [n]_{t}) ⊙ ∂L/∂h_{t} = {vector_text(h_prev - g_n, p)} ⊙ "
        f"{vector_text(dh_t, p)} = {vector_text(d_z, p)}",
    ]
    if cell.options.reset_after:
        u = W_n @ h_prev + cell.b_hh[2 * H :]
        d_r = da_n * u
        lines.append(
            f"  ∂L/∂[r]_{t} = ∂L/∂z^n_{t} ⊙ (W_hh^n h_{t - 1} + b_hh^n) = "
            f"{vector_text(da_n, p)} ⊙ {vector_text(u, p)} = {vector_text(d_r, p)}"
        )
    else:
        v = da_n @ W_n
        d_r = v * h_prev
        lines.append(
            f"  ∂L/∂[r]_{t} = (W_hh^n^T ∂L/∂z^n_{t}) ⊙ h_{t - 1} = {vector_text(v, p)} ⊙ "
            f"{vector_text(h_prev, p)} = {vector_text(d_r, p)}"
        )
    d = {"r": d_r, "z": d_z, "n": d_n}
    lines.extend(_gate_lines(d, slopes, {"r": "σ'", "z": "σ'", "n": "tanh'"}, t, p))
    lines.append(
        f"  sent back: ∂L/∂h_{t - 1} = [z]_{t} ⊙ ∂L/∂h_{t} + W_hh^T (the gates' ∂L/∂z_{t}, "
        f"n's reset by r) = {vector_text(_h_sent_back(report, cell, t), p)}"
    )
    return lines


def _h_sent_back(report: BackwardReport, cell: RecurrentCell, t: int) -> Any:
    """dL/dh_{t-1} from step t: the cell's own step back (h_0's gradient at t = 1)."""
    r, k = report.result, t - 1
    state_prev = tuple(s[k] for s in r.before)
    state_t = tuple(s[k] for s in r.states)
    return cell.step_back(r.Z[k], state_prev, state_t, (r.dH[k],))[2][0]


#: Each gated kind's lines of one step back.
_LINES: dict[str, Callable[[BackwardReport, RecurrentCell, int, int], list[str]]] = {
    "lstm": _lstm_lines,
    "gru": _gru_lines,
}
