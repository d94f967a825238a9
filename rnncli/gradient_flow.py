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
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncli.activations import FloatArray


class GradientFlow(NamedTuple):
    """Row k (k = 0..T-1) of each: how h_T depends on h_k, and the step factor J_{k+1}."""

    norm: FloatArray  # T    ||dh_T/dh_k||_2
    bound: FloatArray  # T   prod_{i=k+1..T} max|f'(z_i)| sigma_max(W_hh)
    max_slope: FloatArray  # T    max_j |f'(z_{k+1},j)|
    jacobian_norm: FloatArray  # T    ||J_{k+1}||_2
    spectral_radius: float  # rho(W_hh) = max |eigenvalue|
    largest_singular_value: float  # sigma_max(W_hh) = ||W_hh||_2


def gradient_flow(W_hh: FloatArray, F: FloatArray) -> GradientFlow:
    """The flow for recurrent weights W_hh (H x H) and slopes F (T x H, row t - 1 = f'(z_t))."""
    T = len(F)
    sigma_max = float(np.linalg.norm(W_hh, 2)) if W_hh.size else 0.0
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh)))) if W_hh.size else 0.0
    J = F[:, :, np.newaxis] * W_hh  # J[t - 1] = diag(f'(z_t)) W_hh,  T x H x H
    max_slope = np.max(np.abs(F), axis=1) if F.size else np.zeros(T)
    norm, bound = np.empty(T), np.empty(T)
    product = np.eye(W_hh.shape[0])  # dh_T/dh_T
    factor = 1.0
    for k in range(T - 1, -1, -1):
        product = product @ J[k]  # dh_T/dh_k = (dh_T/dh_{k+1}) J_{k+1}
        factor *= max_slope[k] * sigma_max
        norm[k] = np.linalg.norm(product, 2)
        bound[k] = factor
    return GradientFlow(
        norm=norm,
        bound=bound,
        max_slope=max_slope,
        jacobian_norm=np.array([np.linalg.norm(J_t, 2) for J_t in J]),
        spectral_radius=rho,
        largest_singular_value=sigma_max,
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
