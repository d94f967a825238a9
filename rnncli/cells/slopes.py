"""The slopes of the activations: f'(z) for the backward pass, numpy only.

For every hidden activation f of rnncli.cells.activations, f'(z) elementwise (at a kink, the
value PyTorch uses: relu'(0) = 0), and gamma = sup |f'|, the most one step can
multiply a gradient by through f. For the output activation g, the vector-Jacobian
product: dL/da = J_g(a)^T dL/do (elementwise for all but softmax).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnncli.cells.activations import Activation, FloatArray, sigmoid, softmax

_Slope = Callable[[FloatArray, float, float], FloatArray]


def _tanh_slope(z: FloatArray) -> FloatArray:
    h = np.tanh(z)
    return 1 - h * h  # tanh' = 1 - tanh^2


def _sigmoid_slope(z: FloatArray) -> FloatArray:
    s = sigmoid(z)
    return s * (1 - s)  # sigma' = sigma (1 - sigma)


#: f'(z; alpha, beta) for every hidden activation.
_SLOPES: dict[str, _Slope] = {
    "tanh": lambda z, a, b: _tanh_slope(z),
    "relu": lambda z, a, b: (z > 0).astype(z.dtype),
    "sigmoid": lambda z, a, b: _sigmoid_slope(z),
    "identity": lambda z, a, b: np.ones_like(z),
    "affine": lambda z, a, b: np.full_like(z, a),
    "leaky_relu": lambda z, a, b: np.where(z >= 0, 1.0, a).astype(z.dtype),
    "thresholded_relu": lambda z, a, b: (z > a).astype(z.dtype),
    "scaled_tanh": lambda z, a, b: a * b * _tanh_slope(b * z),
    "hard_sigmoid": lambda z, a, b: np.where((a * z + b > 0) & (a * z + b < 1), a, 0.0),
    "elu": lambda z, a, b: np.where(z >= 0, 1.0, a * np.exp(np.minimum(z, 0))),
    "softsign": lambda z, a, b: 1 / (1 + np.abs(z)) ** 2,
    "softplus": lambda z, a, b: sigmoid(z),
}

#: gamma = sup_z |f'(z)| for each hidden activation, as a function of alpha and beta.
_SUPREMA: dict[str, Callable[[float, float], float]] = {
    "tanh": lambda a, b: 1.0,
    "relu": lambda a, b: 1.0,
    "sigmoid": lambda a, b: 0.25,
    "identity": lambda a, b: 1.0,
    "affine": lambda a, b: abs(a),
    "leaky_relu": lambda a, b: max(1.0, abs(a)),
    "thresholded_relu": lambda a, b: 1.0,
    "scaled_tanh": lambda a, b: abs(a * b),
    "hard_sigmoid": lambda a, b: abs(a),
    "elu": lambda a, b: max(1.0, a),
    "softsign": lambda a, b: 1.0,
    "softplus": lambda a, b: 1.0,
}


def slope(f: Activation, z: FloatArray) -> FloatArray:
    """f'(z), elementwise."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.asarray(_SLOPES[f.name](z, f.alpha, f.beta), dtype=z.dtype)


def steepest(f: Activation) -> float:
    """gamma = sup |f'(z)| over every z."""
    return _SUPREMA[f.name](f.alpha, f.beta)


def output_vjp(g: Activation | None, a: FloatArray, dL_do: FloatArray) -> FloatArray:
    """dL/da from dL/do where o = g(a), rows of a step each: J_g(a)^T dL/do.

    softmax: p ⊙ (dL/do - <p, dL/do>); every other g: g'(a) ⊙ dL/do.
    """
    if g is None or g.name == "identity":
        return dL_do
    if g.name == "softmax":
        p = softmax(a)
        dL_da: FloatArray = p * (dL_do - np.sum(p * dL_do, axis=-1, keepdims=True))
        return dL_da
    return slope(g, a) * dL_do
