"""The loss of one BPTT: what it compares o_t with, its scale, and L(t), dL/do_t and
dL/da_t at every step.

    mse            L = c sum_{t in S} sum_k (o_t,k - y_t,k)^2       dL/do_t = 2c (o_t - y_t)
    cross-entropy  L = c sum_{t in S} -log softmax(a_t)[y_t]         dL/da_t = c (p_t - onehot(y_t))
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rnncli.cells.activations import Activation, FloatArray, softmax
from rnncli.cells.slopes import output_vjp
from rnncli.option_values import LossName, Reduction


class Targets(NamedTuple):
    """What the loss compares o_t with: Y (T x O for mse, T x 1 class indices for
    cross-entropy; rows outside S are not read) and S, the steps that carry a loss."""

    Y: FloatArray
    S: np.ndarray[Any, np.dtype[np.bool_]]


def scale(loss: LossName, reduction: Reduction, steps: int, outputs: int) -> float:
    """c: 1 for sum; 1/(|S| K) for mse's mean, 1/|S| for cross-entropy's (as torch)."""
    if reduction is Reduction.SUM:
        return 1.0
    return 1.0 / (steps * outputs) if loss is LossName.MSE else 1.0 / steps


class StepLosses(NamedTuple):
    """The loss at every step: row t - 1 holds step t; rows outside S are nan (losses)
    or 0 (the rest)."""

    losses: FloatArray  # T         c L(t)
    dO: FloatArray  # T x O         dL/do_t (cross-entropy: dL/da_t, the logits')
    dA: FloatArray  # T x O         dL/da_t = J_g(a_t)^T dL/do_t
    P: FloatArray | None  # T x O   softmax(a_t), cross-entropy only


def step_losses(
    loss: LossName,
    g: Activation | None,
    A: FloatArray,
    O: FloatArray,
    targets: Targets,
    c: float,
) -> StepLosses:
    """c L(t), dL/do_t and dL/da_t at the steps in S, from a_t (A, T x O) and o_t = g(a_t)."""
    Y, S = targets
    T = len(A)
    losses = np.full(T, np.nan)
    dO, P = np.zeros_like(A), None
    if loss is LossName.MSE:
        diff = O[S] - Y[S]
        losses[S] = c * np.sum(diff**2, axis=1)
        dO[S] = 2 * c * diff
        dA = output_vjp(g, A, dO)
        dA[~S] = 0.0
    else:
        P = softmax(A)
        classes = Y[:, 0].astype(int) if len(Y) else np.zeros(0, dtype=int)
        rows = np.flatnonzero(S)
        # log softmax(a_t)[y_t], shifted by max_k a_t,k so that exp cannot overflow
        shifted = A[rows] - A[rows].max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        losses[rows] = -c * log_p[np.arange(len(rows)), classes[rows]]
        dO[rows] = c * P[rows]
        dO[rows, classes[rows]] -= c
        dA = dO.copy()
    return StepLosses(losses, dO, dA, P)
