"""The LSTM cell (PyTorch's, with ONNX's options): one layer in one direction.

One step, t-1 -> t, with the same weights at every step (σ the recurrent activation,
default the sigmoid; ⊙ elementwise). The four gates' weights are stacked in PyTorch's
order i, f, g, o: W_xh is 4H x I, W_hh is 4H x H_r, b_xh and b_hh are 4H.

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh       4H pre-activations, split in four:
    i = σ(z^i [+ p_i ⊙ c_{t-1}])                      input gate
    f = σ(z^f [+ p_f ⊙ c_{t-1}])                      forget gate (input_forget: f = 1 - i)
    g = act(z^g)                                      candidate (the book's C~)
    c_t = f ⊙ c_{t-1} + i ⊙ g                         cell state
    o = σ(z^o [+ p_o ⊙ c_t])                          output gate: its peephole reads c_t
    h_t = o ⊙ state_act(c_t)                          hidden state (state_act = act unless set)
    [h_t = W_hr h_t]                                  PyTorch's projection, P x H

Sizes: H (`cell_size`) is the number of units: of each gate and of c. The h the cell
hands on (`hidden_size`) is H, or P with a projection W_hr; then W_hh is 4H x P and h_0
holds P values. With `clip` C every gate's pre-activation (biases and peepholes included)
is clamped to [-C, C] before its activation, as ONNX Runtime does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.elman import State, cast_arrays
from rnncli.cells.lstm_loop import lstm_run
from rnncli.cells.options import DEFAULTS, CellOptions, OptionFields
from rnncli.cells.slopes import slope


@dataclass(frozen=True)
class LstmCell(OptionFields):
    """An LSTM cell; the state is (h, c). See the module's equations."""

    W_xh: FloatArray  # 4H x I    rows i, f, g, o
    W_hh: FloatArray  # 4H x H_r  (H_r = P with a projection, else H)
    b_xh: FloatArray  # 4H
    b_hh: FloatArray  # 4H
    options: CellOptions = DEFAULTS  # act, σ, state_act, clip, input_forget, bias
    W_hr: FloatArray | None = None  # P x H projection
    peepholes: FloatArray | None = None  # 3 x H, rows p_i, p_o, p_f (ONNX's order)

    kind: ClassVar[str] = "lstm"
    #: The gates, in the order their rows are stacked (PyTorch's), and what each is.
    gate_meanings: ClassVar[dict[str, str]] = {
        "i": "input gate",
        "f": "forget gate",
        "g": "candidate (the book's C~)",
        "o": "output gate",
    }
    gates: ClassVar[tuple[str, ...]] = tuple(gate_meanings)
    #: The gates of the recurrent activation σ (g takes `activation`).
    sigma_gates: ClassVar[tuple[str, ...]] = ("i", "f", "o")

    # -- the lecture: one step --------------------------------------------------------

    def step_with_z(self, x_t: FloatArray, state: State) -> tuple[FloatArray, State]:
        """One step of one sequence (x_t: I; h_{t-1}: H_r, c_{t-1}: H): its four gates'
        pre-activations z_t (4H, peepholes included, before the clip) and (h_t, c_t)."""
        h_prev, c_prev = state
        H, σ, act = self.cell_size, self.recurrent_activation, self.activation
        state_act = self.state_activation or act
        # Every gate's affine part at once, then one block of H rows per gate.
        z_t = np.dot(self.W_xh, x_t) + self.b_xh + np.dot(self.W_hh, h_prev) + self.b_hh
        z_i, z_f, z_g, z_o = z_t[:H], z_t[H : 2 * H], z_t[2 * H : 3 * H], z_t[3 * H :]
        if self.peepholes is not None:
            p_i, p_o, p_f = self.peepholes
            z_i = z_i + p_i * c_prev  # the input and forget gates peek at c_{t-1}
            z_f = z_f + p_f * c_prev
        i = σ(self._clipped(z_i))  # how much of the candidate to write
        f = 1 - i if self.input_forget else σ(self._clipped(z_f))  # how much of c to keep
        g = act(self._clipped(z_g))  # the candidate values
        c_t = f * c_prev + i * g
        if self.peepholes is not None:
            z_o = z_o + p_o * c_t  # the output gate peeks at the new c_t
        o = σ(self._clipped(z_o))  # how much of the cell to show
        h_t = o * state_act(c_t)
        if self.W_hr is not None:
            h_t = np.dot(self.W_hr, h_t)  # projected to P values
        return np.concatenate([z_i, z_f, z_g, z_o]), (h_t, c_t)

    def step(self, x_t: FloatArray, state: State) -> State:
        """One step of one sequence: (h_{t-1}, c_{t-1}) -> (h_t, c_t)."""
        return self.step_with_z(x_t, state)[1]

    def _clipped(self, z: FloatArray) -> FloatArray:
        return z if self.clip is None else np.clip(z, -self.clip, self.clip)

    def gate_values(self, Z: FloatArray) -> dict[str, FloatArray]:
        """Each gate's value after its activation, from pre-activations Z (... x 4H)."""
        H, σ = self.cell_size, self.recurrent_activation
        with np.errstate(all="ignore"):
            z = [self._clipped(Z[..., k * H : (k + 1) * H]) for k in range(4)]
            i = σ(z[0])
            f = 1 - i if self.input_forget else σ(z[1])
            return {"i": i, "f": f, "g": self.activation(z[2]), "o": σ(z[3])}

    # -- the same, fast ---------------------------------------------------------------

    def run(
        self, inputs: FloatArray, lengths: npt.NDArray[np.int_], state: State
    ) -> tuple[FloatArray, State, State]:
        """`step` over a padded batch inputs (T x B x I) from state (h: B x H_r, c: B x H):
        Z (T x B x 4H), the states at every step and the final (h, c); see
        rnncli.cells.lstm_loop.lstm_run."""
        return lstm_run(self, inputs, lengths, state)

    # -- one step back (rnncli.core.bptt; no peepholes, no projection) -----------------

    def slopes(self, Z: FloatArray) -> FloatArray:
        """Each gate's activation slope at its pre-activation: σ'(z^i), σ'(z^f), act'(z^g),
        σ'(z^o), stacked as Z (... x 4H)."""
        H, σ = self.cell_size, self.recurrent_activation
        z_i, z_f, z_g, z_o = (Z[..., k * H : (k + 1) * H] for k in range(4))
        act = self.activation
        return np.concatenate([slope(σ, z_i), slope(σ, z_f), slope(act, z_g), slope(σ, z_o)], -1)

    def step_back(
        self, z_t: FloatArray, state_prev: State, state_t: State, dstate_t: State
    ) -> tuple[FloatArray, State, State]:
        """Backpropagation through one step, from dL/dh_t (from the output and from the
        future) and dL/dc_t from the future (f_{t+1} ⊙ dL/dc_{t+1}):

            dL/do   = dL/dh_t ⊙ state_act(c_t)
            dL/dc_t = dL/dc_t (future) + dL/dh_t ⊙ o ⊙ state_act'(c_t)
            dL/df   = dL/dc_t ⊙ c_{t-1}    dL/di = dL/dc_t ⊙ g    dL/dg = dL/dc_t ⊙ i
            dL/dz^gate = dL/dgate ⊙ (the gate's activation)'(z^gate)
            dL/dc_{t-1} = f ⊙ dL/dc_t                      (the forget gate's path)
            dL/dh_{t-1} = W_hh^T dL/dz_t                  (all four gates at once)

        With input_forget (f = 1 - i) dL/df goes to i with a minus sign. Returns
        (dL/dz_t, (dL/dh_t, dL/dc_t), (dL/dh_{t-1}, dL/dc_{t-1})); the gradients may hold
        many rows (n x H), one backward pass each."""
        (_, c_prev), (_, c_t) = state_prev, state_t
        dh_t, dc_future = dstate_t
        gate = self.gate_values(z_t)
        i, f, g, o = gate["i"], gate["f"], gate["g"], gate["o"]
        state_act = self.state_activation or self.activation
        d_o = dh_t * state_act(c_t)
        dc_t = dc_future + dh_t * o * slope(state_act, c_t)
        d_f, d_i, d_g = dc_t * c_prev, dc_t * g, dc_t * i
        if self.input_forget:
            d_i, d_f = d_i - d_f, 0 * d_f  # f = 1 - i: z^f is not used
        slopes = np.broadcast_to(self.slopes(z_t), (*d_o.shape[:-1], z_t.shape[-1]))
        dz_t = np.concatenate([d_i, d_f, d_g, d_o], axis=-1) * slopes
        return dz_t, (dh_t, dc_t), (dz_t @ self.W_hh, f * dc_t)

    def parameter_gradients(
        self, X: FloatArray, Z: FloatArray, H_prev: FloatArray, dZ: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """As the Elman cell's, for all four gates at once: dL/dW_xh = sum_t dL/dz_t x_t^T,
        dL/dW_hh = sum_t dL/dz_t h_{t-1}^T, dL/db_xh = dL/db_hh = sum_t dL/dz_t."""
        b = dZ.sum(axis=0)
        return dZ.T @ X, dZ.T @ H_prev, b, b.copy()

    # -- what the network asks of every cell ------------------------------------------

    @property
    def input_size(self) -> int:
        return int(self.W_xh.shape[1])

    @property
    def cell_size(self) -> int:
        """H: the units of each gate and of c."""
        return int(self.W_xh.shape[0]) // 4

    @property
    def hidden_size(self) -> int:
        """The size of h: P with a projection W_hr, else H."""
        return self.cell_size if self.W_hr is None else int(self.W_hr.shape[0])

    def initial_state(self, h_0: FloatArray, c_0: FloatArray | None = None) -> State:
        """(h_0, c_0), c_0 = 0 unless given (h_0: ... x H_r, c_0: ... x H)."""
        shape = (*h_0.shape[:-1], self.cell_size)
        return (h_0, np.zeros(shape, dtype=h_0.dtype) if c_0 is None else c_0)

    def check(self) -> None:
        """ValueError unless the weights fit together (H from W_xh's 4H rows)."""
        rows = self.W_xh.shape[0] if self.W_xh.ndim == 2 else 0
        if rows == 0 or rows % 4:
            raise ValueError("W_xh must be 4H x I (the gates i, f, g, o stacked)")
        H, H_r = self.cell_size, self.hidden_size
        if self.W_hr is not None and (self.W_hr.ndim != 2 or self.W_hr.shape[1] != H):
            raise ValueError(f"W_hr must be P x {H}")
        if self.W_hh.shape != (4 * H, H_r):
            raise ValueError(f"W_hh must be {4 * H}x{H_r}")
        if self.b_xh.shape != (4 * H,) or self.b_hh.shape != (4 * H,):
            raise ValueError(f"biases must have {4 * H} values")
        if self.peepholes is not None and self.peepholes.shape != (3, H):
            raise ValueError(f"peepholes must be 3 x {H} (p_i, p_o, p_f)")

    def configured(self, activation: Activation, clip: float | None) -> LstmCell:
        """Itself: an LSTM carries its own activations and clip."""
        return self

    def astype(self, dtype: npt.DTypeLike) -> LstmCell:
        fields = ("W_xh", "W_hh", "b_xh", "b_hh", "W_hr", "peepholes")
        return replace(self, **cast_arrays(self, fields, dtype))
