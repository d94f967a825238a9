"""--check: BPTT's gradients against central finite differences on the same inputs.

For every number theta of every parameter (and of h_0):

    dL/dtheta ≈ (L(theta + eps) - L(theta - eps)) / (2 eps)        eps = 1e-6

and each parameter's relative error ||a - b|| / max(1e-8, ||a|| + ||b||) (L2 norms over
the parameter: an element whose gradient is almost 0 is not judged by the rounding
noise of L alone). The loss is
the full one (no truncation, no clipping): finite differences see the true gradient.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.bptt import bptt
from rnncli.core.gradients import Gradients
from rnncli.core.loss import Targets
from rnncli.core.network import Network
from rnncli.option_values import LossName, Reduction

EPSILON = 1e-6


def with_parameter(net: Network, name: str, value: FloatArray) -> Network:
    """The network with one parameter (by its gradient's name) set to `value`."""
    cell = net.cell
    if name in ("W_xh", "W_hh", "b_xh", "b_hh"):
        return replace(net, layers=((replace(cell, **{name: value}),),))  # type: ignore[type-var]
    if name == "b_h":  # one bias: b_xh = b_h, b_hh = 0
        return replace(net, layers=((replace(cell, b_xh=value),),))  # type: ignore[type-var]
    if name == "h0":
        return replace(net, h0=value[np.newaxis, :])
    if name == "c0":
        return replace(net, c0=value[np.newaxis, :])
    if name == "W_ho":
        return replace(net, W_ho=value)
    return replace(net, b_o=value)


def numerical_gradients(
    net: Network, X: FloatArray, targets: Targets, loss: LossName, reduction: Reduction
) -> Gradients:
    """Every gradient bptt gives, by central differences of L."""
    exact = bptt(net, X, targets, loss, reduction).gradients
    current = {
        "W_xh": net.cell.W_xh,
        "W_hh": net.cell.W_hh,
        "b_xh": net.cell.b_xh,
        "b_hh": net.cell.b_hh,
        "b_h": net.cell.b_xh,
        "W_ho": net.W_ho,
        "b_o": net.b_o,
        "h0": net.h0[0],
        "c0": None if net.c0 is None else net.c0[0],
    }
    numerical: Gradients = {}
    for name in exact:
        theta = np.array(current[name], dtype=np.float64)
        estimate = np.empty_like(theta)
        for index in np.ndindex(theta.shape):
            losses = []
            for step in (EPSILON, -EPSILON):
                moved = theta.copy()
                moved[index] += step
                losses.append(
                    bptt(with_parameter(net, name, moved), X, targets, loss, reduction).loss
                )
            estimate[index] = (losses[0] - losses[1]) / (2 * EPSILON)
        numerical[name] = estimate
    return numerical


def relative_error(a: FloatArray, b: FloatArray) -> float:
    """||a - b|| / max(1e-8, ||a|| + ||b||)."""
    scale = max(1e-8, float(np.linalg.norm(a)) + float(np.linalg.norm(b)))
    return float(np.linalg.norm(a - b)) / scale


def check(
    net: Network, X: FloatArray, targets: Targets, loss: LossName, reduction: Reduction
) -> dict[str, float]:
    """The relative error of each gradient against finite differences."""
    exact = bptt(net, X, targets, loss, reduction).gradients
    numerical = numerical_gradients(net, X, targets, loss, reduction)
    return {name: relative_error(exact[name], numerical[name]) for name in exact}
