"""The math of an Elman RNN's forward pass, as in the lecture; numpy only, no I/O.

For t = 1..T, with the same weights at every step:

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh     pre-activation
    h_t = f(z_t)                                    hidden state
    o_t = g(W_ho h_t + b_o)                         output (o_t = h_t without W_ho)

Shapes follow PyTorch (rows are outputs), with I inputs, H hidden units, O outputs:
W_xh is H x I, W_hh is H x H, b_xh and b_hh are H, W_ho is O x H, b_o is O, h0 is H.
A sequence X is T x I: row t-1 holds x_t.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from rnncli.choices import Mode, canonical_activation

FloatArray = npt.NDArray[np.float64]
Activation = Callable[[FloatArray], FloatArray]


def identity(z: FloatArray) -> FloatArray:
    """f(z) = z."""
    return z


def relu(z: FloatArray) -> FloatArray:
    """f(z) = max(0, z)."""
    return np.maximum(z, 0.0)


def sigmoid(z: FloatArray) -> FloatArray:
    """f(z) = 1 / (1 + e^-z), computed as exp(-log(1 + e^-z)) so no z overflows."""
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(-np.logaddexp(0.0, -z))


def softmax(z: FloatArray) -> FloatArray:
    """g(z)_k = e^{z_k} / sum_j e^{z_j} over the last axis, shifted by max(z) against overflow."""
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        p: FloatArray = e / np.sum(e, axis=-1, keepdims=True)
    return p


#: The hidden-layer activations f; the output activations g add softmax.
ACTIVATIONS: dict[str, Activation] = {
    "tanh": np.tanh,
    "relu": relu,
    "sigmoid": sigmoid,
    "identity": identity,
}
OUTPUT_ACTIVATIONS: dict[str, Activation] = {**ACTIVATIONS, "softmax": softmax}


@dataclass(frozen=True)
class Network:
    """A single-layer Elman RNN with an optional output layer.

    W_xh: H x I, W_hh: H x H, b_xh: H, b_hh: H, h0: H; W_ho: O x H and b_o: O, or None.
    One lecture-style bias b_h is stored as b_xh = b_h, b_hh = 0 (bias="one").
    """

    W_xh: FloatArray
    W_hh: FloatArray
    b_xh: FloatArray
    b_hh: FloatArray
    h0: FloatArray
    W_ho: FloatArray | None = None
    b_o: FloatArray | None = None
    activation: str = "tanh"
    output_activation: str | None = None
    name: str | None = None
    bias: str = "two"  # how the config gave the biases: "two", "one" or "none"

    def __post_init__(self) -> None:
        H = self.W_xh.shape[0]
        if self.W_hh.shape != (H, H):
            raise ValueError(f"W_hh is {self.W_hh.shape}, expected {(H, H)}")
        for vector_name in ("b_xh", "b_hh", "h0"):
            if getattr(self, vector_name).shape != (H,):
                raise ValueError(f"{vector_name} must have {H} values")
        if (self.W_ho is None) != (self.b_o is None):
            raise ValueError("W_ho and b_o come together")
        if self.W_ho is not None and self.b_o is not None:
            O = self.W_ho.shape[0]
            if self.W_ho.shape != (O, H) or self.b_o.shape != (O,):
                raise ValueError(f"W_ho must be O x {H} and b_o must have O values")
        if canonical_activation(self.activation) not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        if self.output_activation is not None:
            if self.W_ho is None:
                raise ValueError("an output activation needs an output layer")
            if canonical_activation(self.output_activation) not in OUTPUT_ACTIVATIONS:
                raise ValueError(f"unknown output activation {self.output_activation!r}")

    @property
    def input_size(self) -> int:
        return int(self.W_xh.shape[1])

    @property
    def hidden_size(self) -> int:
        return int(self.W_xh.shape[0])

    @property
    def output_size(self) -> int:
        """O, or H when there is no output layer (then o_t = h_t)."""
        return self.hidden_size if self.W_ho is None else int(self.W_ho.shape[0])

    @property
    def has_output_layer(self) -> bool:
        return self.W_ho is not None


class Forward(NamedTuple):
    """A forward pass, as arrays; row k of each holds step t = k + 1."""

    X: FloatArray  # T x I   inputs x_t
    Z: FloatArray  # T x H   pre-activations z_t
    H: FloatArray  # T x H   hidden states h_t
    O: FloatArray  # T x O in many-to-many; 1 x O in many-to-one (o_T only)
    h0: FloatArray  # H      the initial state h_0
    mode: Mode

    @property
    def output_steps(self) -> range:
        """The steps t (from 1) that made an output, one per row of O."""
        T = len(self.X)
        return range(1, T + 1) if self.mode is Mode.MANY_TO_MANY else range(T, T + 1)


def forward(
    net: Network,
    X: FloatArray,
    h0: FloatArray | None = None,
    mode: Mode = Mode.MANY_TO_MANY,
) -> Forward:
    """Run the network over the sequence X (T x I, T >= 1) from h0 (the network's by default)."""
    T, I = X.shape
    if net.input_size != I:
        raise ValueError(f"X has {I} features, the network takes {net.input_size}")
    if T == 0:
        raise ValueError("the sequence has no steps")
    f = ACTIVATIONS[canonical_activation(net.activation)]
    h_0: FloatArray = net.h0 if h0 is None else np.asarray(h0, dtype=np.float64)

    # The input part of every step at once, one matrix product:
    #   Z[t] starts as W_xh x_t + b_xh + b_hh                          (T x H)
    # Overflow is not an error here: it shows as inf / nan, which first_non_finite finds.
    with np.errstate(all="ignore"):
        Z: FloatArray = X @ net.W_xh.T + (net.b_xh + net.b_hh)
        H: FloatArray = np.empty_like(Z)
        W_hh = net.W_hh
        h = h_0
        # Only the recurrence is a loop: z_t += W_hh h_{t-1};  h_t = f(z_t)
        for t in range(T):
            Z[t] += W_hh @ h
            h = H[t] = f(Z[t])

        # The output layer after the loop, one matrix product over every step:
        #   o_t = g(W_ho h_t + b_o)                                    (T x O)
        # many-to-one keeps o_T only, the very bits many-to-many gives at t = T.
        if net.W_ho is None or net.b_o is None:
            O = H.copy()
        else:
            g = OUTPUT_ACTIVATIONS[canonical_activation(net.output_activation or "identity")]
            O = g(H @ net.W_ho.T + net.b_o)
        if mode is Mode.MANY_TO_ONE:
            O = O[-1:]
    return Forward(X=X, Z=Z, H=H, O=O, h0=h_0, mode=mode)


def first_non_finite(result: Forward) -> tuple[str, int, int] | None:
    """Where the result first stops being finite: ("h", t, unit) or ("o", t, unit), from 1."""
    candidates = []
    for name, values, steps in (
        ("h", result.H, range(1, len(result.H) + 1)),
        ("o", result.O, result.output_steps),
    ):
        bad = np.argwhere(~np.isfinite(values))
        if len(bad):
            row, unit = bad[0]
            candidates.append((steps[row], name, int(unit) + 1))
    if not candidates:
        return None
    t, name, unit = min(candidates)
    return name, t, unit
