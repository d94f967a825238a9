"""The activation functions f (hidden) and g (output), as ONNX defines them; numpy only.

Their names, parameters and defaults are rnncli.option_values.ACTIVATIONS, the one list that
the command line, the config reader and these formulas share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from rnncli.option_values import ACTIVATIONS, canonical_activation

#: The arrays of the core: float64, or float32 under --dtype float32.
FloatArray = npt.NDArray[np.floating[Any]]
ActivationFunction = Callable[[FloatArray, Any, Any], FloatArray]


def sigmoid(z: FloatArray) -> FloatArray:
    """1 / (1 + e^-z), as PyTorch computes it (see sigmoid_into)."""
    with np.errstate(over="ignore", under="ignore"):
        return sigmoid_into(z.dtype)(z, np.empty_like(z))


def sigmoid_into(
    dtype: np.dtype[Any], negated: bool = False
) -> Callable[[FloatArray, FloatArray], FloatArray]:
    """(z, out) -> out = 1 / (1 + e^-z) for arrays of `dtype`: four passes of numpy's
    vectorised exp and arithmetic. `negated`: (-z, out) -> the same, one pass fewer, for
    a cell that negates its sigmoid gates' weights once so that its products give -z
    (exactly: negation is exact and rounding symmetric, so the gates' bits are the same;
    the cell turns z back as 0 - (-z), so that a sum that cancels is +0, not -0).

    The form PyTorch's CPU kernel uses, so gates agree with it to the last bit or two.
    Each operation rounds once (exp within 1 ulp), so the result is within a few ulp of
    the exact sigmoid everywhere, with no cancellation: 1 + e^-z only grows. At the ends
    e^-z overflows to inf for z < -709.78 (float32: -88.7) and 1/inf = 0, where the true
    value is below the smallest normal number (2.2e-308); z = -inf gives 0, +inf gives 1,
    0 gives 0.5, nan stays nan. The caller switches off the overflow warning.

    The constants 1 and -1 are 0-d arrays of the dtype, made once: a Python number is
    converted again in every call, which costs more than the pass itself on a small gate.
    -z is z * -1 (exact, the same bits): numpy 2.4's np.negative with out= reads a
    strided float32 input as if it were contiguous when the output is strided too."""
    one, minus_one = np.ones((), dtype), np.full((), -1, dtype)
    multiply, exp, add, divide = np.multiply, np.exp, np.add, np.divide

    def of_negated(minus_z: FloatArray, out: FloatArray) -> FloatArray:
        exp(minus_z, out)
        add(out, one, out)
        return divide(one, out, out)  # (np.reciprocal gives the same bits, slower)

    def into(z: FloatArray, out: FloatArray) -> FloatArray:
        multiply(z, minus_one, out)
        return of_negated(out, out)

    return of_negated if negated else into


def clip_into(
    clip: float | None, dtype: np.dtype[Any]
) -> Callable[[FloatArray, FloatArray], FloatArray]:
    """(z, out) -> z clamped to [-clip, clip] in out, as np.clip (nan stays nan), for the
    cells' loops: two ufunc passes with 0-d bounds made once, without np.clip's own
    cost per call; z itself when there is no clip."""
    if clip is None:
        return lambda z, out: z
    low, high = np.full((), -clip, dtype), np.full((), clip, dtype)
    maximum, minimum = np.maximum, np.minimum

    def into(z: FloatArray, out: FloatArray) -> FloatArray:
        maximum(z, low, out=out)
        return minimum(out, high, out=out)

    return into


def softmax(z: FloatArray) -> FloatArray:
    """e^{z_k} / sum_j e^{z_j} over the last axis, shifted by max(z) against overflow."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        p: FloatArray = e / np.sum(e, axis=-1, keepdims=True)
    return p


def relu(z: FloatArray) -> FloatArray:
    """max(0, z)."""
    return np.maximum(z, 0)


#: f(z; alpha, beta) for every name in ACTIVATIONS, as ONNX's RNN defines them.
_FUNCTIONS: dict[str, ActivationFunction] = {
    "tanh": lambda z, a, b: np.tanh(z),
    "relu": lambda z, a, b: relu(z),
    "sigmoid": lambda z, a, b: sigmoid(z),  # 1 / (1 + e^-z)
    "identity": lambda z, a, b: z,
    "affine": lambda z, a, b: a * z + b,  # alpha z + beta
    "leaky_relu": lambda z, a, b: np.where(z >= 0, z, a * z),
    "thresholded_relu": lambda z, a, b: np.where(z > a, z, 0).astype(z.dtype),  # z > alpha
    "scaled_tanh": lambda z, a, b: a * np.tanh(b * z),  # alpha tanh(beta z)
    "hard_sigmoid": lambda z, a, b: np.clip(a * z + b, 0, 1),  # min(max(alpha z + beta, 0), 1)
    "elu": lambda z, a, b: np.where(z >= 0, z, a * np.expm1(np.minimum(z, 0))),
    "softsign": lambda z, a, b: z / (1 + np.abs(z)),
    "softplus": lambda z, a, b: np.logaddexp(0, z).astype(z.dtype, copy=False),  # log(1+e^z)
    "softmax": lambda z, a, b: softmax(z),
}
assert tuple(_FUNCTIONS) == tuple(ACTIVATIONS), "a formula for every name, in its order"


@dataclass(frozen=True)
class Activation:
    """An activation function with its parameters, such as leaky_relu with alpha = 0.1."""

    name: str
    alpha: float = 0.0
    beta: float = 0.0

    @classmethod
    def named(cls, name: str, alpha: float | None = None, beta: float | None = None) -> Activation:
        """The activation `name` (any spelling), with ONNX's defaults for what is not given.

        The name must be one of ACTIVATIONS: the command line and the config reader say
        so to the user before any network is made."""
        canonical = canonical_activation(name)
        assert canonical in ACTIVATIONS, f"unknown activation {name!r}"
        defaults = ACTIVATIONS[canonical]
        return cls(
            canonical,
            defaults.get("alpha", 0.0) if alpha is None else alpha,
            defaults.get("beta", 0.0) if beta is None else beta,
        )

    def __call__(self, z: FloatArray) -> FloatArray:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return _FUNCTIONS[self.name](z, z.dtype.type(self.alpha), z.dtype.type(self.beta))

    def into(self, dtype: np.dtype[Any]) -> Callable[[FloatArray, FloatArray], FloatArray]:
        """f as a plain function (z, out) -> out in `dtype`, for tight loops: it writes
        f(z) into out and switches no error state."""
        if self.name == "tanh":
            return cast(Callable[[FloatArray, FloatArray], FloatArray], np.tanh)
        if self.name == "relu":
            zero = np.zeros((), dtype)  # made once (see sigmoid_into)
            return lambda z, out: np.maximum(z, zero, out=out)
        if self.name == "sigmoid":
            return sigmoid_into(dtype)
        function, a, b = _FUNCTIONS[self.name], dtype.type(self.alpha), dtype.type(self.beta)

        def into(z: FloatArray, out: FloatArray) -> FloatArray:
            out[...] = function(z, a, b)
            return out

        return into

    @property
    def parameters(self) -> dict[str, float]:
        """The parameters this activation reads, by name."""
        values = {"alpha": self.alpha, "beta": self.beta}
        return {key: values[key] for key in ACTIVATIONS.get(self.name, {})}

    def __str__(self) -> str:
        """`tanh`, or `leaky_relu(alpha=0.1)`."""
        parameters = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{self.name}({parameters})" if parameters else self.name


TANH = Activation("tanh")
SIGMOID = Activation("sigmoid")
IDENTITY = Activation("identity")
