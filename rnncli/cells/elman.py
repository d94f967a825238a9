"""The lecture's recurrent cell (Elman), where rnncli begins: one step, h_{t-1} -> h_t,
with the same weights at every step t:

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh     pre-activation
    h_t = f(z_t)                                    hidden state (f(clip(z_t)) with a clip)

W_xh is H x I (rows are outputs, as PyTorch), W_hh is H x H, b_xh and b_hh are H.
`ElmanCell.step_with_z` below is these two lines in numpy; `run` is the same over a
batch, fast, and tests hold it to `step`. RecurrentCell, at the end of this file, is
what every cell provides (LstmCell in rnncli.cells.lstm, GruCell in rnncli.cells.gru).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import Activation, FloatArray, clip_into
from rnncli.cells.layout import alive_mask, input_part, sequence_major, state_in, state_out
from rnncli.cells.options import DEFAULTS, CellOptions, OptionFields
from rnncli.cells.slopes import slope

#: A cell's state at one step: (h,) for an Elman cell; h is B x H in a batch, else H.
State = tuple[FloatArray, ...]


# -- the lecture: one step ------------------------------------------------------------


@dataclass(frozen=True)
class ElmanCell(OptionFields):
    """The lecture's cell: h_t = f(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh).

    W_xh: H x I (I: the layer's input size), W_hh: H x H, b_xh: H, b_hh: H. The
    network gives every cell its activation f and clip (see Network).
    """

    W_xh: FloatArray
    W_hh: FloatArray
    b_xh: FloatArray
    b_hh: FloatArray
    options: CellOptions = DEFAULTS  # f (`activation`), the clip and the bias form

    kind: ClassVar[str] = "rnn"
    gate_meanings: ClassVar[dict[str, str]] = {}
    gates: ClassVar[tuple[str, ...]] = ()
    sigma_gates: ClassVar[tuple[str, ...]] = ()

    def step(self, x_t: FloatArray, state: State) -> State:
        """One step of one sequence, as the lecture writes it (x_t: I, h_{t-1}: H)."""
        return self.step_with_z(x_t, state)[1]

    def step_with_z(self, x_t: FloatArray, state: State) -> tuple[FloatArray, State]:
        """`step`, with its pre-activation z_t: (z_t, (h_t,))."""
        (h_prev,) = state  # h_{t-1}
        W_xh, W_hh, b_xh, b_hh, f = self.W_xh, self.W_hh, self.b_xh, self.b_hh, self.activation
        z_t = np.dot(W_xh, x_t) + b_xh + np.dot(W_hh, h_prev) + b_hh
        h_t = f(z_t if self.clip is None else np.clip(z_t, -self.clip, self.clip))
        return z_t, (h_t,)

    def gate_values(self, Z: FloatArray) -> dict[str, FloatArray]:
        """None: the Elman cell has no gates."""
        return {}

    @property
    def W_hr(self) -> None:
        """None: only an LSTM projects its h."""
        return None

    @property
    def peepholes(self) -> None:
        """None: only an LSTM peeks at its cell state."""
        return None

    # -- the same, fast ---------------------------------------------------------------

    def run(
        self, inputs: FloatArray, lengths: npt.NDArray[np.int_], state: State
    ) -> tuple[FloatArray, State, State]:
        """`step` over a padded batch inputs (T x B x I), t = 1..T, from state (B x H).

        Returns Z and (H,) (T x B x H) and each sequence's final state (B x H). A sequence
        stops at its own length: the padding after it does not change its state.
        """
        (h_start,) = state
        T, clip = inputs.shape[0], self.clip
        with np.errstate(all="ignore"):
            f = self.activation.into(inputs.dtype)
            clipped = clip_into(clip, inputs.dtype)  # z_t clamped to [-clip, clip]
            # The input part of every step of every sequence at once, feature-major
            # (rnncli.cells.layout): Z[t] starts as W_xh x_t + b_xh + b_hh    (H x B)
            Z = input_part(inputs, self.W_xh, self.b_xh + self.b_hh)
            H: FloatArray = np.empty_like(Z)
            h = state_in(h_start)  # h_{t-1}: H x B (H for one sequence)
            alive = alive_mask(lengths, T)
            product = np.empty(h.shape, dtype=h.dtype)  # W_hh h_{t-1}
            W_hh_dot, add = self.W_hh.dot, np.add
            # Only the recurrence is a loop: z_t += W_hh h_{t-1};  h_t = f(z_t). It walks
            # the rows of Z and H (cheaper than indexing them) and writes into preallocated
            # rows. Bound methods and positional out= keep each call's own cost down.
            for t, (z, out) in enumerate(zip(Z, H, strict=True)):
                W_hh_dot(h, product)
                add(z, product, z)
                h_t = f(z if clip is None else clipped(z, out), out)
                h = h_t if alive is None else np.where(alive[t], h_t, h)
        return sequence_major(Z), (sequence_major(H),), (state_out(h),)

    # -- one step back (rnncli.core.bptt) -----------------------------------------------

    def slopes(self, Z: FloatArray) -> FloatArray:
        """f'(z_t), elementwise, for pre-activations Z (... x H)."""
        return slope(self.activation, Z)

    def step_back(
        self, z_t: FloatArray, state_prev: State, state_t: State, dstate_t: State
    ) -> tuple[FloatArray, State, State]:
        """Backpropagation through one step, from dL/dh_t (its "from the output" and "from
        the future" parts added): dL/dz_t = f'(z_t) ⊙ dL/dh_t, and what it sends back to
        h_{t-1}: W_hh^T dL/dz_t. Returns (dL/dz_t, (dL/dh_t,), (dL/dh_{t-1},)); dL/dh_t
        may hold many rows (n x H), one backward pass each (the gradient flow's)."""
        (dh_t,) = dstate_t
        dz_t = self.slopes(z_t) * dh_t
        return dz_t, (dh_t,), (dz_t @ self.W_hh,)  # rows: (W_hh^T dz_t)^T

    def parameter_gradients(
        self, X: FloatArray, Z: FloatArray, H_prev: FloatArray, dZ: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """dL/dW_xh = sum_t dL/dz_t x_t^T, dL/dW_hh = sum_t dL/dz_t h_{t-1}^T and
        dL/db_xh = dL/db_hh = sum_t dL/dz_t (the two biases are redundant), from the rows
        of X, Z, H_prev and dZ (T x ...)."""
        b = dZ.sum(axis=0)
        return dZ.T @ X, dZ.T @ H_prev, b, b.copy()

    # -- what the network asks of every cell ------------------------------------------

    @property
    def input_size(self) -> int:
        return int(self.W_xh.shape[1])

    @property
    def hidden_size(self) -> int:
        return int(self.W_hh.shape[0])

    @property
    def cell_size(self) -> int:
        return self.hidden_size

    def initial_state(self, h_0: FloatArray, c_0: FloatArray | None = None) -> State:
        """The state at t = 0 from h_0 (B x H); an Elman cell has no c."""
        return (h_0,)

    def check(self) -> None:
        """ValueError unless the weights fit together (H from W_hh)."""
        H = self.hidden_size
        if self.W_xh.ndim != 2 or self.W_xh.shape[0] != H or self.W_hh.shape != (H, H):
            raise ValueError(f"W_xh must be {H}xI and W_hh {H}x{H}")
        if self.b_xh.shape != (H,) or self.b_hh.shape != (H,):
            raise ValueError(f"biases must have {H} values")

    def configured(self, activation: Activation, clip: float | None) -> ElmanCell:
        """The same cell with the network's activation and clip."""
        if self.activation == activation and self.clip == clip:
            return self
        return replace(self, options=self.options._replace(activation=activation, clip=clip))

    def astype(self, dtype: npt.DTypeLike) -> ElmanCell:
        return replace(self, **cast_arrays(self, ("W_xh", "W_hh", "b_xh", "b_hh"), dtype))


def cast_arrays(cell: object, names: Iterable[str], dtype: npt.DTypeLike) -> dict[str, Any]:
    """The cell's arrays `names` in `dtype` (None stays None), by name, for replace()."""
    arrays = {name: getattr(cell, name) for name in names}
    with np.errstate(over="ignore"):  # beyond float32 becomes inf; the caller warns
        return {
            name: None if array is None else np.asarray(array, dtype=dtype)
            for name, array in arrays.items()
        }


class RecurrentCell(Protocol):
    """What the network, the forward loop and batching need of a cell.

    What a cell provides (the RecurrentCell interface below); the forward loop, batches,
    directions, stacked layers, modes and feedback use nothing else, so another kind of
    cell is one more class: ElmanCell here, LstmCell (rnncli.cells.lstm) and GruCell
    (rnncli.cells.gru) beside it:

    - its weights W_xh, W_hh, b_xh, b_hh (an LSTM's four gates stacked in each, a GRU's
      three, as PyTorch's weight_ih and weight_hh), an LSTM's projection W_hr and
      peepholes (None for the others); `input_size`; `hidden_size`, the size of the h it
      hands on (an LSTM's P with a projection); `cell_size`, H: the units of each gate
      (and of an LSTM's c); `kind` ("rnn", "lstm", "gru"), its `gates` (their
      `gate_meanings`, and the `sigma_gates` of the recurrent activation) and its
      `options`, one CellOptions (rnncli.cells.options: the activations, the clip, an
      LSTM's input_forget, a GRU's reset_after, the bias form), which views and writers
      read instead of asking what class a cell is; `check()`
      (ValueError unless the shapes fit), `configured(activation, clip)` (the network's f
      and clip; an LSTM and a GRU carry their own) and `astype(dtype)`;
    - its state: a tuple of arrays, (h,) for Elman and GRU, (h, c) for an LSTM; h, the
      first, is what the layer above and the output layer read. `initial_state(h_0, c_0)`
      makes it from h_0 (B x H), and c_0 (zeros unless given) for an LSTM;
    - `step(x_t, state) -> state`: one step of one sequence, written as the lecture writes
      it, and `step_with_z`, the same with the step's pre-activations z_t. This is the
      reference; it is not used for speed;
    - `run(inputs, lengths, state) -> (Z, states, state)`: the same steps for a padded
      batch (T x B x I) in one go, as fast as numpy allows: every step's pre-activations,
      its state arrays at every step ((H,) or (H, C)) and the final state; tests hold it
      to `step`;
    - `gate_values(Z)`: each gate's value after its activation, from the pre-activations;
    - for backpropagation through time (rnncli.core.bptt): `slopes(Z)`, each pre-activation's
      activation slope; `step_back(z_t, state_{t-1}, state_t, dL/dstate_t)`, one step back;
      `parameter_gradients(X, Z, H_prev, dZ)`, the sums over steps for W_xh, W_hh and biases.
    """

    @property
    def W_xh(self) -> FloatArray: ...
    @property
    def W_hh(self) -> FloatArray: ...
    @property
    def b_xh(self) -> FloatArray: ...
    @property
    def b_hh(self) -> FloatArray: ...
    @property
    def options(self) -> CellOptions: ...
    @property
    def bias(self) -> str: ...
    @property
    def activation(self) -> Activation: ...
    @property
    def clip(self) -> float | None: ...
    @property
    def W_hr(self) -> FloatArray | None: ...
    @property
    def peepholes(self) -> FloatArray | None: ...
    @property
    def input_size(self) -> int: ...
    @property
    def hidden_size(self) -> int: ...
    @property
    def cell_size(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def gates(self) -> tuple[str, ...]: ...
    @property
    def gate_meanings(self) -> dict[str, str]: ...
    @property
    def sigma_gates(self) -> tuple[str, ...]: ...
    def step(self, x_t: FloatArray, state: State) -> State: ...
    def step_with_z(self, x_t: FloatArray, state: State) -> tuple[FloatArray, State]: ...
    def gate_values(self, Z: FloatArray) -> dict[str, FloatArray]: ...
    def slopes(self, Z: FloatArray) -> FloatArray: ...
    def step_back(
        self, z_t: FloatArray, state_prev: State, state_t: State, dstate_t: State
    ) -> tuple[FloatArray, State, State]: ...
    def parameter_gradients(
        self, X: FloatArray, Z: FloatArray, H_prev: FloatArray, dZ: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]: ...
    def run(
        self, inputs: FloatArray, lengths: npt.NDArray[np.int_], state: State
    ) -> tuple[FloatArray, State, State]: ...
    def initial_state(self, h_0: FloatArray, c_0: FloatArray | None = None) -> State: ...
    def check(self) -> None: ...
    def configured(self, activation: Activation, clip: float | None) -> RecurrentCell: ...
    def astype(self, dtype: npt.DTypeLike) -> RecurrentCell: ...
