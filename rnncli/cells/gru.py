"""The GRU cell (PyTorch's, with ONNX's options): one layer in one direction.

One step, t-1 -> t, with the same weights at every step (σ the recurrent activation,
default the sigmoid; ⊙ elementwise). The three gates' weights are stacked in PyTorch's
order r, z, n: W_xh is 3H x I, W_hh is 3H x H, b_xh and b_hh are 3H.

    r = σ(W_xh^r x_t + b_xh^r + W_hh^r h_{t-1} + b_hh^r)        reset gate
    z = σ(W_xh^z x_t + b_xh^z + W_hh^z h_{t-1} + b_hh^z)        update gate
    n = act(W_xh^n x_t + b_xh^n + r ⊙ (W_hh^n h_{t-1} + b_hh^n))  candidate, reset_after
    n = act(W_xh^n x_t + b_xh^n + W_hh^n (r ⊙ h_{t-1}) + b_hh^n)  reset_after: false
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}                             z keeps the old state

reset_after true is PyTorch's and Keras 3's GRU (ONNX linear_before_reset = 1); false is
ONNX's default. With `clip` C every gate's pre-activation is clamped to [-C, C] before
its activation, as ONNX Runtime does. The state is (h,), H values.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import Activation, FloatArray, clip_into
from rnncli.cells.elman import State, cast_arrays
from rnncli.cells.layout import (
    alive_mask,
    input_part,
    per_unit,
    sequence_major,
    sigmoid_rows,
    state_in,
    state_out,
    turn_back,
)
from rnncli.cells.options import DEFAULTS, CellOptions, OptionFields
from rnncli.cells.slopes import slope


@dataclass(frozen=True)
class GruCell(OptionFields):
    """A GRU cell; the state is (h,). See the module's equations."""

    W_xh: FloatArray  # 3H x I   rows r, z, n
    W_hh: FloatArray  # 3H x H
    b_xh: FloatArray  # 3H
    b_hh: FloatArray  # 3H
    options: CellOptions = DEFAULTS  # act, σ, clip, reset_after, bias

    kind: ClassVar[str] = "gru"
    #: The gates, in the order their rows are stacked (PyTorch's), and what each is.
    gate_meanings: ClassVar[dict[str, str]] = {
        "r": "reset gate",
        "z": "update gate",
        "n": "candidate",
    }
    gates: ClassVar[tuple[str, ...]] = tuple(gate_meanings)
    #: The gates of the recurrent activation σ (n takes `activation`).
    sigma_gates: ClassVar[tuple[str, ...]] = ("r", "z")

    @property
    def W_hr(self) -> None:
        """None: only an LSTM projects its h."""
        return None

    @property
    def peepholes(self) -> None:
        """None: only an LSTM peeks at its cell state."""
        return None

    # -- the lecture: one step --------------------------------------------------------

    def step_with_z(self, x_t: FloatArray, state: State) -> tuple[FloatArray, State]:
        """One step of one sequence (x_t: I, h_{t-1}: H): the gates' pre-activations
        z_t (3H, n's with the reset applied, before the clip) and (h_t,)."""
        (h_prev,) = state
        H, σ, act = self.cell_size, self.recurrent_activation, self.activation
        W_xh, W_hh, b_xh, b_hh = self.W_xh, self.W_hh, self.b_xh, self.b_hh
        r_, z_, n_ = slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)  # each gate's rows
        a_r = np.dot(W_xh[r_], x_t) + b_xh[r_] + np.dot(W_hh[r_], h_prev) + b_hh[r_]
        a_z = np.dot(W_xh[z_], x_t) + b_xh[z_] + np.dot(W_hh[z_], h_prev) + b_hh[z_]
        r = σ(self._clipped(a_r))  # how much of h_{t-1} the candidate sees
        z = σ(self._clipped(a_z))  # how much of h_{t-1} to keep
        if self.reset_after:  # the reset scales the recurrent term, bias included
            a_n = np.dot(W_xh[n_], x_t) + b_xh[n_] + r * (np.dot(W_hh[n_], h_prev) + b_hh[n_])
        else:  # the reset scales h_{t-1} before the product
            a_n = np.dot(W_xh[n_], x_t) + b_xh[n_] + np.dot(W_hh[n_], r * h_prev) + b_hh[n_]
        n = act(self._clipped(a_n))  # the candidate state
        h_t = (1 - z) * n + z * h_prev
        return np.concatenate([a_r, a_z, a_n]), (h_t,)

    def step(self, x_t: FloatArray, state: State) -> State:
        """One step of one sequence: (h_{t-1},) -> (h_t,)."""
        return self.step_with_z(x_t, state)[1]

    def _clipped(self, a: FloatArray) -> FloatArray:
        return a if self.clip is None else np.clip(a, -self.clip, self.clip)

    def gate_values(self, Z: FloatArray) -> dict[str, FloatArray]:
        """Each gate's value after its activation, from pre-activations Z (... x 3H)."""
        H, σ = self.cell_size, self.recurrent_activation
        with np.errstate(all="ignore"):
            a = [self._clipped(Z[..., k * H : (k + 1) * H]) for k in range(3)]
            return {"r": σ(a[0]), "z": σ(a[1]), "n": self.activation(a[2])}

    # -- the same, fast ---------------------------------------------------------------

    def run(
        self, inputs: FloatArray, lengths: npt.NDArray[np.int_], state: State
    ) -> tuple[FloatArray, State, State]:
        """`step` over a padded batch inputs (T x B x I) from state (h: B x H).

        Returns Z (T x B x 3H), (H,) (T x B x H) and each sequence's final (h,); a
        sequence stops at its own length.

        The input part of every step is one matrix product before the loop (with the
        recurrent biases that are not reset); each step is one product W_hh h_{t-1}
        for all three gates (two with reset_after false: r must come first), then the
        gates in place in preallocated buffers. h_t is computed as n + z ⊙ (h_{t-1} - n),
        the same value as (1 - z) ⊙ n + z ⊙ h_{t-1} (PyTorch's form), one pass fewer.
        """
        (h_start,) = state
        T = inputs.shape[0]
        H, clip, dtype = self.cell_size, self.clip, inputs.dtype
        rz, n_ = slice(0, 2 * H), slice(2 * H, 3 * H)
        # One sequence with the sigmoid: the rows of r and z negated (sigmoid_rows)
        σ, sign, negated = sigmoid_rows(
            self.recurrent_activation, rz, 3 * H, inputs.shape[1] == 1, dtype
        )
        with np.errstate(all="ignore"):
            act = self.activation.into(dtype)
            clipped = clip_into(clip, dtype)  # every gate's pre-activation, to [-C, C]
            # Z[t] starts as W_xh x_t + b_xh + b_hh (b_hh^n only when the reset comes
            # before it: reset_after multiplies b_hh^n by r)                 (3H x B)
            b_hh_outside = self.b_hh.copy()
            if self.reset_after:
                b_hh_outside[n_] = 0
            Z = input_part(inputs, self.W_xh * sign, (self.b_xh + b_hh_outside) * sign[:, 0])
            b_hh_n = per_unit(self.b_hh[n_], Z.ndim == 3)
            Hs = np.empty((T, H, *Z.shape[2:]), dtype=dtype)  # H x B
            alive = alive_mask(lengths, T)
            h = state_in(h_start)  # h_{t-1}
            # W_hh h_{t-1} for all three gates (reset_after) or r and z only; then n's
            W_hh = self.W_hh * sign
            first_product = (W_hh if self.reset_after else W_hh[rz]).dot
            n_product = np.ascontiguousarray(self.W_hh[n_]).dot
            add, multiply = np.add, np.multiply
            gates = np.empty(Z.shape[1:], dtype=dtype)  # r, z, n after activation
            r, z, n, r_z = gates[:H], gates[H : 2 * H], gates[2 * H :], gates[rz]
            products = np.empty_like(gates if self.reset_after else r_z)
            recurrent_rz = products[rz]  # W_hh^r h_{t-1}, W_hh^z h_{t-1}
            recurrent_n = products[n_] if self.reset_after else np.empty_like(r)
            change = np.empty_like(r)
            reset_after, subtract = self.reset_after, np.subtract
            for t, (a_rz, a_n, h_t) in enumerate(zip(Z[:, rz], Z[:, n_], Hs, strict=True)):
                first_product(h, products)  # W_hh h_{t-1}: r, z (and n)
                add(a_rz, recurrent_rz, a_rz)
                σ(a_rz if clip is None else clipped(a_rz, r_z), r_z)  # r, z
                if reset_after:
                    add(recurrent_n, b_hh_n, recurrent_n)  # W_hh^n h_{t-1} + b_hh^n
                    multiply(r, recurrent_n, recurrent_n)  # r ⊙ (...)
                else:
                    multiply(r, h, change)  # r ⊙ h_{t-1}
                    n_product(change, recurrent_n)  # W_hh^n (r ⊙ h_{t-1})
                add(a_n, recurrent_n, a_n)
                act(a_n if clip is None else clipped(a_n, n), n)
                subtract(h, n, change)
                multiply(z, change, change)
                add(n, change, h_t)  # h_t = n + z ⊙ (h_{t-1} - n)
                h = h_t if alive is None else np.where(alive[t], h_t, h)
            if negated is not None:  # a, not -a
                turn_back(Z, negated, None)
        return sequence_major(Z), (sequence_major(Hs),), (state_out(h),)

    # -- one step back (rnncli.core.bptt) -----------------------------------------------

    def slopes(self, Z: FloatArray) -> FloatArray:
        """Each gate's activation slope at its pre-activation: σ'(a_r), σ'(a_z), act'(a_n),
        stacked as Z (... x 3H)."""
        H, σ = self.cell_size, self.recurrent_activation
        a_rz, a_n = Z[..., : 2 * H], Z[..., 2 * H :]
        return np.concatenate([slope(σ, a_rz), slope(self.activation, a_n)], axis=-1)

    def step_back(
        self, z_t: FloatArray, state_prev: State, state_t: State, dstate_t: State
    ) -> tuple[FloatArray, State, State]:
        """Backpropagation through one step, from dL/dh_t (from the output and the future);
        a_r, a_z, a_n are the gates' pre-activations (z_t):

            dL/dn = (1 - z) ⊙ dL/dh_t          dL/dz = (h_{t-1} - n) ⊙ dL/dh_t
            dL/da_n = act'(a_n) ⊙ dL/dn
            reset_after:  u = W_hh^n h_{t-1} + b_hh^n     dL/dr = dL/da_n ⊙ u
                          dL/dh_{t-1} gets W_hh^n^T (r ⊙ dL/da_n)
            reset before: dL/d(r ⊙ h_{t-1}) = W_hh^n^T dL/da_n =: v
                          dL/dr = v ⊙ h_{t-1}    dL/dh_{t-1} gets r ⊙ v
            dL/da_r = σ'(a_r) ⊙ dL/dr          dL/da_z = σ'(a_z) ⊙ dL/dz
            dL/dh_{t-1} += z ⊙ dL/dh_t + W_hh^r^T dL/da_r + W_hh^z^T dL/da_z

        Returns (dL/da_t, (dL/dh_t,), (dL/dh_{t-1},)); the gradients may hold many rows
        (n x H), one backward pass each."""
        ((h_prev,), (dh_t,)) = state_prev, dstate_t
        H = self.cell_size
        gate = self.gate_values(z_t)
        r, z, n = gate["r"], gate["z"], gate["n"]
        slopes = self.slopes(z_t)
        W_rz, W_n = self.W_hh[: 2 * H], self.W_hh[2 * H :]
        da_n = slopes[2 * H :] * (1 - z) * dh_t
        if self.reset_after:
            u = W_n @ h_prev + self.b_hh[2 * H :]  # W_hh^n h_{t-1} + b_hh^n
            d_r = da_n * u
            dh_prev = (r * da_n) @ W_n
        else:
            v = da_n @ W_n  # dL/d(r ⊙ h_{t-1})
            d_r = v * h_prev
            dh_prev = r * v
        da_rz = slopes[: 2 * H] * np.concatenate([d_r, (h_prev - n) * dh_t], axis=-1)
        dh_prev = dh_prev + z * dh_t + da_rz @ W_rz
        return np.concatenate([da_rz, da_n], axis=-1), (dh_t,), (dh_prev,)

    def parameter_gradients(
        self, X: FloatArray, Z: FloatArray, H_prev: FloatArray, dZ: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """dL/dW_xh = sum_t dL/da_t x_t^T and dL/db_xh = sum_t dL/da_t for all three gates;
        r and z read h_{t-1} as the Elman cell does (dL/db_hh = dL/db_xh there), but n's
        recurrent part is reset: reset_after, r ⊙ (W_hh^n h_{t-1} + b_hh^n), so its
        gradients take r ⊙ dL/da_n; reset before, W_hh^n (r ⊙ h_{t-1}) + b_hh^n, so
        dL/dW_hh^n reads r ⊙ h_{t-1}."""
        H = self.cell_size
        R = self.gate_values(Z)["r"]  # T x H
        dZ_hh = dZ.copy()  # the gradient of each gate's recurrent part, W_hh h + b_hh
        if self.reset_after:
            dZ_hh[:, 2 * H :] *= R
            W_hh = dZ_hh.T @ H_prev
        else:
            W_hh = np.vstack([dZ[:, : 2 * H].T @ H_prev, dZ[:, 2 * H :].T @ (R * H_prev)])
        return dZ.T @ X, W_hh, dZ.sum(axis=0), dZ_hh.sum(axis=0)

    # -- what the network asks of every cell ------------------------------------------

    @property
    def input_size(self) -> int:
        return int(self.W_xh.shape[1])

    @property
    def cell_size(self) -> int:
        """H: the units of each gate and of h."""
        return int(self.W_xh.shape[0]) // 3

    @property
    def hidden_size(self) -> int:
        return self.cell_size

    def initial_state(self, h_0: FloatArray, c_0: FloatArray | None = None) -> State:
        """The state at t = 0 from h_0 (B x H); a GRU has no c."""
        return (h_0,)

    def check(self) -> None:
        """ValueError unless the weights fit together (H from W_xh's 3H rows)."""
        rows = self.W_xh.shape[0] if self.W_xh.ndim == 2 else 0
        if rows == 0 or rows % 3:
            raise ValueError("W_xh must be 3H x I (the gates r, z, n stacked)")
        H = self.cell_size
        if self.W_hh.shape != (3 * H, H):
            raise ValueError(f"W_hh must be {3 * H}x{H}")
        if self.b_xh.shape != (3 * H,) or self.b_hh.shape != (3 * H,):
            raise ValueError(f"biases must have {3 * H} values")

    def configured(self, activation: Activation, clip: float | None) -> GruCell:
        """Itself: a GRU carries its own activations and clip."""
        return self

    def astype(self, dtype: npt.DTypeLike) -> GruCell:
        return replace(self, **cast_arrays(self, ("W_xh", "W_hh", "b_xh", "b_hh"), dtype))
