"""How h_T depends on each earlier state: the vanishing (or exploding) gradient, numpy only.

One step's Jacobian, and their product back from T (the textbook's multiplicative
factor dh_T/dh_k):

    J_t = dh_t/dh_{t-1} = diag(f'(z_t)) W_hh                      (H x H)
    dh_T/dh_k = J_T J_{T-1} ... J_{k+1}                          (the identity at k = T)

Backprop applies the transpose, W_hh^T diag(f'(z_t)); it has the same singular values,
so every norm below is the same for both. The norm is at most the product of its
factors' norms (Pascanu, Mikolov and Bengio's bound):

    ||dh_T/dh_k||_2 <= prod_{i=k+1..T} max_j |f'(z_i,j)| sigma_max(W_hh) <= (gamma sigma_max)^(T-k)

with gamma = sup |f'| (tanh 1, sigmoid 1/4, relu 1). sigma_max(W_hh) < 1/gamma is enough
for the gradient to vanish; rho(W_hh) <= sigma_max is the rate along W_hh's leading
direction.

A gated cell's state is (h, c) for an LSTM, h for a GRU; `state_flow` takes J_t as the
Jacobian of the whole state, dstate_t/dstate_{t-1}, row by row from the cell's own
step_back (one backward pass per row of the identity), and reads dh_T/dh_k and, for an
LSTM, dc_T/dc_k from the blocks of their product. c_T reaches c_k directly through the
forget gates alone, dc_t/dc_{t-1} = diag(f_t) on that path: with f near 1 the gradient
does not vanish (the LSTM's answer to the vanishing gradient).
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.cells.elman import RecurrentCell
from rnncli.core.bptt import Backward


class GradientFlow(NamedTuple):
    """Row k (k = 0..T-1) of each: how h_T depends on h_k, and the step factor J_{k+1}."""

    norm: FloatArray  # T    ||dh_T/dh_k||_2
    bound: FloatArray  # T   prod_{i=k+1..T} max|f'(z_i)| sigma_max(W_hh)
    max_slope: FloatArray  # T    max_j |f'(z_{k+1},j)|
    jacobian_norm: FloatArray  # T    ||J_{k+1}||_2
    spectral_radius: float  # rho(W_hh) = max |eigenvalue|   (nan for a gated cell)
    largest_singular_value: float  # sigma_max(W_hh) = ||W_hh||_2   (nan for a gated cell)
    cell_norm: FloatArray | None = None  # T   ||dc_T/dc_k||_2, an LSTM's
    forget_product: FloatArray | None = None  # T   max_j prod_{i=k+1..T} f_i,j, an LSTM's


def _norm2(M: FloatArray) -> float:
    """The spectral norm ||M||_2; nan where M holds a value that is not finite (a product
    of Jacobians that overflowed: the warning names where), as the SVD cannot take it."""
    return float(np.linalg.norm(M, 2)) if np.isfinite(M).all() else math.nan


def gradient_flow(W_hh: FloatArray, F: FloatArray) -> GradientFlow:
    """The flow for recurrent weights W_hh (H x H) and slopes F (T x H, row t - 1 = f'(z_t))."""
    T = len(F)
    sigma_max = float(_norm2(W_hh)) if W_hh.size else 0.0
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh)))) if W_hh.size else 0.0
    J = F[:, :, np.newaxis] * W_hh  # J[t - 1] = diag(f'(z_t)) W_hh,  T x H x H
    max_slope = np.max(np.abs(F), axis=1) if F.size else np.zeros(T)
    norm, bound = np.empty(T), np.empty(T)
    product = np.eye(W_hh.shape[0])  # dh_T/dh_T
    factor = 1.0
    for k in range(T - 1, -1, -1):
        product = product @ J[k]  # dh_T/dh_k = (dh_T/dh_{k+1}) J_{k+1}
        factor *= max_slope[k] * sigma_max
        norm[k] = _norm2(product)
        bound[k] = factor
    return GradientFlow(
        norm=norm,
        bound=bound,
        max_slope=max_slope,
        jacobian_norm=np.array([_norm2(J_t) for J_t in J]),
        spectral_radius=rho,
        largest_singular_value=sigma_max,
    )


def state_flow(cell: RecurrentCell, result: Backward) -> GradientFlow:
    """The flow through a gated cell's state: norm ||dh_T/dh_k||_2 and, for an LSTM,
    cell_norm ||dc_T/dc_k||_2 and the forget gates' product; jacobian_norm is the whole
    state's ||J_{k+1}||_2. A gated cell has no one bound, gamma or W_hh to take rho of:
    bound, max_slope, spectral_radius and largest_singular_value are nan."""
    Z, T = result.Z, len(result.Z)
    sizes = [s.shape[1] for s in result.states]
    H, size = sizes[0], sum(sizes)
    columns = np.cumsum([0, *sizes])
    basis = tuple(np.eye(size)[:, a:b] for a, b in pairwise(columns))
    J = np.empty((T, size, size))  # J[t - 1] = dstate_t/dstate_{t-1}
    for t in range(T):
        state_prev = tuple(s[t] for s in result.before)
        state_t = tuple(s[t] for s in result.states)
        _, _, back = cell.step_back(Z[t], state_prev, state_t, basis)  # row j: e_j^T J_t
        J[t] = np.hstack(back)
    norm, cell_norm = np.empty(T), np.empty(T)
    product = np.eye(size)
    for k in range(T - 1, -1, -1):
        product = product @ J[k]  # dstate_T/dstate_k
        norm[k] = _norm2(product[:H, :H])
        cell_norm[k] = _norm2(product[H:, H:]) if size > H else np.nan
    lstm = len(sizes) > 1
    forget_product = None
    if lstm:  # row k: prod over i = k+1..T of f_i, largest over the units
        f = cell.gate_values(Z)["f"]
        forget_product = np.cumprod(f[::-1], axis=0)[::-1].max(axis=1)
    nan = np.full(T, np.nan)
    return GradientFlow(
        norm=norm,
        bound=nan,
        max_slope=nan.copy(),
        jacobian_norm=np.array([_norm2(J_t) for J_t in J]),
        spectral_radius=float("nan"),
        largest_singular_value=float("nan"),
        cell_norm=cell_norm if lstm else None,
        forget_product=forget_product,
    )


def gated_note(flow: GradientFlow) -> str:
    """One plain sentence on what carries the gradient back through a gated cell."""
    if not len(flow.norm):
        return "No steps: nothing flows back."
    if flow.cell_norm is not None and flow.forget_product is not None:
        return (
            f"Back to k = 0, ||dc_T/dc_k|| is {flow.cell_norm[0]:.3g} and ||dh_T/dh_k|| "
            f"{flow.norm[0]:.3g}: c_T reaches c_k through the forget gates, whose product is "
            f"at most {flow.forget_product[0]:.3g}, so where f stays near 1 the gradient "
            "does not vanish."
        )
    return (
        f"Back to k = 0, ||dh_T/dh_k|| is {flow.norm[0]:.3g}: the update gate z passes "
        "h_{t-1} straight on (dh_t/dh_{t-1} has z on its diagonal), so where z stays near 1 "
        "the gradient does not vanish."
    )


def flow_note(flow: GradientFlow, gamma: float) -> str:
    """One plain sentence on what rho(W_hh) and sigma_max(W_hh) mean for this network."""
    rho, sigma = flow.spectral_radius, flow.largest_singular_value
    if gamma * sigma < 1:
        return (
            f"gamma·sigma_max = {gamma * sigma:.3g} < 1: every step back multiplies the "
            "gradient by less than 1, so it vanishes over long sequences."
        )
    if rho > 1:
        return (
            f"rho = {rho:.3g} > 1: along W_hh's leading direction the gradient can grow "
            "step by step (explode), unless f' is small there."
        )
    return (
        f"rho = {rho:.3g} <= 1 but gamma·sigma_max = {gamma * sigma:.3g} >= 1: the bound "
        "allows growth, yet the actual norms (above) show how much f' damps it."
    )
