"""Every term of every step, as the lecture writes them; numpy only, no I/O.

For step t (rows of each T x H array; the biases are the same at every step):

    W_xh x_t          the input's part        (the textbook's "Hidden" adds b_xh)
    W_hh h_{t-1}      the memory's part
    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh,   h_t = f(z_t)
    W_ho h_t + b_o    the output's pre-activation,  o_t = g(W_ho h_t + b_o)

The terms are read off the forward pass and the network's one cell, not run again;
Formulation 2 stacks the weights: W_h = [W_xh W_hh] (H x (I+H)) times [x_t; h_{t-1}]
plus b_xh + b_hh gives the same z_t; `formulation_2_difference` says how close.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncli.activations import FloatArray
from rnncli.forward import Forward
from rnncli.network import Network


class Terms(NamedTuple):
    """The terms of every step; row k holds step t = k + 1."""

    H_prev: FloatArray  # T x H   h_{t-1} (h_0 first)
    W_xh_x: FloatArray  # T x H   W_xh x_t
    W_hh_h_prev: FloatArray  # T x H   W_hh h_{t-1}
    b_xh: FloatArray  # H
    b_hh: FloatArray  # H
    Z: FloatArray  # T x H   z_t, as forward() computed it
    W_ho_h: FloatArray | None  # T x O   W_ho h_t (with an output layer)
    b_o: FloatArray | None  # O
    O_pre: FloatArray | None  # T x O   W_ho h_t + b_o, before g
    formulation_2_difference: float  # largest |z_t(Formulation 2) - z_t|


def terms(net: Network, result: Forward) -> Terms:
    """The terms of the forward pass `result` of `net` (one layer, forward: its one cell)."""
    cell = net.cell
    with np.errstate(all="ignore"):
        H_prev = _previous_states(result)
        W_ho_h = O_pre = None
        if net.W_ho is not None and net.b_o is not None:
            W_ho_h = result.H @ net.W_ho.T
            O_pre = W_ho_h + net.b_o
        return Terms(
            H_prev=H_prev,
            W_xh_x=result.X @ cell.W_xh.T,
            W_hh_h_prev=H_prev @ cell.W_hh.T,
            b_xh=cell.b_xh,
            b_hh=cell.b_hh,
            Z=result.Z,
            W_ho_h=W_ho_h,
            b_o=net.b_o,
            O_pre=O_pre,
            formulation_2_difference=_largest_difference(
                _formulation_2(net, result.X, H_prev), result.Z
            ),
        )


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
