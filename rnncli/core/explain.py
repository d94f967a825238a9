"""Every term of every step, as the lecture writes them; numpy only, no I/O.

For step t (rows of each T x H array; the biases are the same at every step):

    W_xh x_t          the input's part        (the textbook's "Hidden" adds b_xh)
    W_hh h_{t-1}      the memory's part
    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh,   h_t = f(z_t)
    W_ho h_t + b_o    the output's pre-activation,  o_t = g(W_ho h_t + b_o)

The terms are read off the forward pass and the network's one cell, not run again;
Formulation 2 stacks the weights: W_h = [W_xh W_hh] (H x (I+H)) times [x_t; h_{t-1}]
plus b_xh + b_hh gives the same z_t; `formulation_2_difference` says how close.

An LSTM's or a GRU's terms are the same arrays with the G gates stacked (G·H columns, in
the cell's gate order), and beside them the gates' values after their activation; an
LSTM's c_{t-1} and state_act(c_t); a GRU's recurrent part of n, as its reset places it:
r ⊙ (W_hh^n h_{t-1} + b_hh^n) (reset after), or W_hh^n (r ⊙ h_{t-1}) + b_hh^n, whose
W_hh^n (r ⊙ h_{t-1}) stands in the n columns of W_hh_h_prev. Formulation 2 then checks
the gates whose pre-activation is W_xh x_t + b_xh + W_hh h_{t-1} + b_hh: every LSTM
gate (plus its peephole term, where it has one), a GRU's r and z.

An LSTM's peepholes add p_i ⊙ c_{t-1} to z^i, p_f ⊙ c_{t-1} to z^f and p_o ⊙ c_t to z^o
(z_t as forward() kept it includes them); with a projection W_hr (P x H), h_t = W_hr
(o ⊙ state_act(c_t)), so h_{t-1} holds P values and o ⊙ state_act(c_t) H.

Every term a view writes is here, the sums and products of other terms too (W_xh x_t +
b_xh, f ⊙ c_{t-1}, i ⊙ g, (1 - z) ⊙ n, z ⊙ h_{t-1}), each computed in the run's dtype
from the exact terms: a view that rounds (-p N) rounds each of them once, at the end.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.forward_result import Forward, gate_values
from rnncli.core.network import Network


class Terms(NamedTuple):
    """The terms of every step; row k holds step t = k + 1."""

    H_prev: FloatArray  # T x H   h_{t-1} (h_0 first)
    W_xh_x: FloatArray  # T x H   W_xh x_t
    W_hh_h_prev: FloatArray  # T x H   W_hh h_{t-1}
    b_xh: FloatArray  # H
    b_hh: FloatArray  # H
    Z: FloatArray  # T x H   z_t, as forward() computed it
    W_xh_x_b_xh: FloatArray  # T x H   W_xh x_t + b_xh (the textbook's "Hidden")
    W_ho_h: FloatArray | None  # T x O   W_ho h_t (with an output layer)
    b_o: FloatArray | None  # O
    O_pre: FloatArray | None  # T x O   W_ho h_t + b_o, before g
    formulation_2_difference: float  # largest |z_t(Formulation 2) - z_t|
    G: FloatArray | None = None  # T x G·H   the gates' values (lstm, gru)
    C_prev: FloatArray | None = None  # T x H   c_{t-1}, c_0 first (lstm)
    C_act: FloatArray | None = None  # T x H   state_act(c_t) (lstm)
    recurrent_n: FloatArray | None = None  # T x H   n's recurrent part, reset applied (gru)
    Peeped: FloatArray | None = None  # T x 3H  p_i ⊙ c_{t-1}, p_f ⊙ c_{t-1}, p_o ⊙ c_t (lstm)
    Shown: FloatArray | None = None  # T x H   o ⊙ state_act(c_t), before W_hr (lstm, projected)
    F_c_prev: FloatArray | None = None  # T x H   f ⊙ c_{t-1} (lstm)
    I_g: FloatArray | None = None  # T x H   i ⊙ g (lstm): c_t = f ⊙ c_{t-1} + i ⊙ g
    One_minus_z_n: FloatArray | None = None  # T x H   (1 - z) ⊙ n (gru)
    Z_h_prev: FloatArray | None = None  # T x H   z ⊙ h_{t-1} (gru): h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}


def terms(net: Network, result: Forward, c0: FloatArray | None = None) -> Terms:
    """The terms of the forward pass `result` of `net` (one layer, forward: its one cell);
    c0 is an LSTM's c_0 where it is not the network's."""
    cell = net.cell
    with np.errstate(all="ignore"):
        H_prev = _previous_states(result)
        W_ho_h = O_pre = None
        if net.W_ho is not None and net.b_o is not None:
            W_ho_h = result.H @ net.W_ho.T
            O_pre = W_ho_h + net.b_o
        W_hh_h_prev = H_prev @ cell.W_hh.T
        gated: dict[str, FloatArray] = {}
        plain = slice(None)  # the gates whose z is W_xh x + b_xh + W_hh h + b_hh
        if net.gates:
            gated = _gated_terms(net, result, H_prev, W_hh_h_prev, c0)
            if net.cell_kind == "gru":
                plain = slice(0, 2 * cell.cell_size)  # r and z
        Z_2 = _formulation_2(net, result.X, H_prev)
        Peeped = gated.get("Peeped")
        if Peeped is not None:  # the peephole terms, in the columns of i, f and o
            H = net.cell_size
            Z_2[:, : 2 * H] += Peeped[:, : 2 * H]
            Z_2[:, 3 * H :] += Peeped[:, 2 * H :]
        W_xh_x = result.X @ cell.W_xh.T
        return Terms(
            H_prev=H_prev,
            W_xh_x=W_xh_x,
            W_hh_h_prev=W_hh_h_prev,
            b_xh=cell.b_xh,
            b_hh=cell.b_hh,
            Z=result.Z,
            W_xh_x_b_xh=W_xh_x + cell.b_xh,
            W_ho_h=W_ho_h,
            b_o=net.b_o,
            O_pre=O_pre,
            formulation_2_difference=_largest_difference(Z_2[:, plain], result.Z[:, plain]),
            **gated,
        )


def _gated_terms(
    net: Network,
    result: Forward,
    H_prev: FloatArray,
    W_hh_h_prev: FloatArray,
    c0: FloatArray | None,
) -> dict[str, FloatArray]:
    """An LSTM's or a GRU's own terms (see the module's docstring); W_hh_h_prev's n
    columns become W_hh^n (r ⊙ h_{t-1}) for a GRU whose reset comes first."""
    cell = net.cell
    values = gate_values(net, result)
    G = np.hstack([values[gate] for gate in net.gates])  # T x G·H
    if net.cell_kind == "lstm":
        c_0 = net.c0 if c0 is None else np.asarray(c0, dtype=result.H.dtype)
        assert c_0 is not None and result.C is not None
        C_prev = np.vstack([c_0.reshape(1, -1), result.C[:-1]])
        state_act = cell.options.state_activation or cell.activation
        lstm = {"G": G, "C_prev": C_prev, "C_act": state_act(result.C)}
        lstm["F_c_prev"] = values["f"] * C_prev
        lstm["I_g"] = values["i"] * values["g"]
        if cell.peepholes is not None:
            p_i, p_o, p_f = cell.peepholes  # ONNX's order
            lstm["Peeped"] = np.hstack([p_i * C_prev, p_f * C_prev, p_o * result.C])
        if cell.W_hr is not None:
            lstm["Shown"] = values["o"] * lstm["C_act"]  # h_t = W_hr (o ⊙ state_act(c_t))
        return lstm
    H = cell.cell_size  # a GRU
    n_ = slice(2 * H, 3 * H)
    r, b_hh_n = values["r"], cell.b_hh[n_]
    if cell.options.reset_after:  # r ⊙ (W_hh^n h_{t-1} + b_hh^n)
        recurrent_n = r * (W_hh_h_prev[:, n_] + b_hh_n)
    else:  # W_hh^n (r ⊙ h_{t-1}) + b_hh^n
        W_hh_h_prev[:, n_] = (r * H_prev) @ cell.W_hh[n_].T
        recurrent_n = W_hh_h_prev[:, n_] + b_hh_n
    z = values["z"]
    return {
        "G": G,
        "recurrent_n": recurrent_n,
        "One_minus_z_n": (1 - z) * values["n"],
        "Z_h_prev": z * H_prev,
    }


def _previous_states(result: Forward) -> FloatArray:
    """h_{t-1} for every step, h_0 first (h0 is 1 x H: one layer, forward)."""
    return np.vstack([result.h0, result.H[:-1]])


def formulation_2(net: Network, result: Forward) -> FloatArray:
    """z_t by the lecture's Formulation 2: [W_xh W_hh] . [x_t; h_{t-1}] + b  (T x H)."""
    return _formulation_2(net, result.X, _previous_states(result))


def _formulation_2(net: Network, X: FloatArray, H_prev: FloatArray) -> FloatArray:
    cell = net.cell
    W_h = np.hstack([cell.W_xh, cell.W_hh])  # H x (I + H)
    with np.errstate(all="ignore"):
        stacked = np.hstack([X, H_prev])  # T x (I + H): row t is [x_t; h_{t-1}]
        Z: FloatArray = stacked @ W_h.T + (cell.b_xh + cell.b_hh)
    return Z


def formulation_2_difference(net: Network, result: Forward) -> float:
    """The largest |z_t(Formulation 2) - z_t(Formulation 1)| over every step and unit."""
    return _largest_difference(formulation_2(net, result), result.Z)


def _largest_difference(A: FloatArray, B: FloatArray) -> float:
    with np.errstate(all="ignore"):
        difference = np.abs(A - B)
    return float(np.max(difference)) if difference.size else 0.0
