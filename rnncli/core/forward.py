"""The forward pass: the lecture's loop over t, and forward(), which computes the same fast.

For t = 1..T, with the same weights at every step, from h_0:

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh     (the cell's step: rnncli.cells.elman)
    h_t = f(z_t)
    o_t = g(W_ho h_t + b_o)                         (the network's output layer)

`reference_forward` below is that loop as plainly as it can be written, one sequence
and one step at a time, and `reference_feedback` the same with x_t = o_{t-1}. They are
for reading and for the tests; `forward` and `forward_batch` compute the same numbers
fast (rnncli.core.fast_loop; tests hold them to the reference to 1e-12), in every mode,
a batch in sub-batches on threads (rnncli.core.batching).

The pipeline checks what a run asks for (that a mode's network runs forward in time,
that feedback has O = I, that one-to-many gets one row) before it calls these, with a
message for the user; here those rules are asserts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import FloatArray
from rnncli.core.batching import mode_inputs, run_in_parts
from rnncli.core.fast_loop import feedback_run
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.option_values import Direction, Mode

# -- forward: the network over sequences, fast ----------------------------------------


def forward(
    net: Network,
    X: FloatArray,
    h0: FloatArray | None = None,
    mode: Mode = Mode.MANY_TO_MANY,
    steps: int | None = None,
    feedback: bool = False,
    dtype: npt.DTypeLike = np.float64,
    c0: FloatArray | None = None,
) -> Forward:
    """Run the network over one sequence X (T x I, T >= 1); see forward_batch."""
    return forward_batch(net, [X], h0, mode, steps, feedback, dtype, c0)[0]


def forward_batch(
    net: Network,
    sequences: Sequence[FloatArray],
    h0: FloatArray | None = None,
    mode: Mode = Mode.MANY_TO_MANY,
    steps: int | None = None,
    feedback: bool = False,
    dtype: npt.DTypeLike = np.float64,
    c0: FloatArray | None = None,
) -> list[Forward]:
    """Run the network over every sequence at once, each from h0 ((L*D) x H, or L*D*H)
    and, for an LSTM, c0 ((L*D) x H_c; the network's own h0 and c0 where None).

    Modes: many-to-many emits o_t at every step; many-to-one o_T only; one-to-many reads
    one row x_1 and runs `steps` steps, with zero inputs after the first or, with
    `feedback`, o_{t-1}; many-to-many-delayed reads x_1..x_T, then runs `steps` more
    steps with zero input, each emitting. Everything is computed in `dtype`.
    """
    dtype = np.dtype(dtype)
    net = net.astype(dtype)
    I = net.input_size
    assert sequences, "no sequences"
    for X in sequences:
        if X.ndim != 2 or X.shape[1] != I or len(X) == 0:
            raise ValueError(f"each sequence must be T x {I} with T >= 1, not {X.shape}")
    if mode in (Mode.ONE_TO_MANY, Mode.MANY_TO_MANY_DELAYED):
        # Their later inputs are made as they go: forward in time only.
        assert net.direction is Direction.FORWARD and steps, (mode, net.direction, steps)
    with np.errstate(over="ignore"):  # beyond float32 becomes inf; the caller warns
        h_0 = net.h0 if h0 is None else np.asarray(h0, dtype=dtype).reshape(net.h0.shape)
        c_0 = net.c0
        if c0 is not None and c_0 is not None:
            c_0 = np.asarray(c0, dtype=dtype).reshape(c_0.shape)
        inputs, first_outputs = mode_inputs(sequences, mode, steps, dtype)
    if feedback:
        assert mode is Mode.ONE_TO_MANY
        return feedback_run(net, inputs, h_0, c_0)
    return run_in_parts(net, inputs, first_outputs, h_0, mode, c_0)


# -- the lecture: a plain loop over t -------------------------------------------------


class ReferenceRun(NamedTuple):
    """What the plain loop computes for one sequence (row k of each: step t = k + 1)."""

    Z: FloatArray  # T x (D*G*H)  the top layer's pre-activations (G gates; rnn G = 1)
    H: FloatArray  # T x (D*H)    the top layer's h_t
    C: FloatArray | None  # T x (D*H)  the top layer's c_t (an LSTM's)
    O: FloatArray  # T x O        o_t
    h_n: FloatArray  # (L*D) x H  final states
    c_n: FloatArray | None  # (L*D) x H  final cell states (an LSTM's)


def reference_forward(
    net: Network, X: FloatArray, h0: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One sequence X (T x I) through the network, one step at a time, as the lecture
    writes it: H (T x D*H, the top layer's h_t), O (T x O, o_t) and h_n ((L*D) x H)."""
    run = reference_run(net, X, h0)
    return run.H, run.O, run.h_n


def reference_run(
    net: Network, X: FloatArray, h0: FloatArray | None = None, c0: FloatArray | None = None
) -> ReferenceRun:
    """reference_forward with everything the loop sees: see ReferenceRun.

    Layer 1 reads x_t, every layer above reads the h_t of the one below; a forward
    direction runs t = 1..T, a reverse one t = T..1; bidirectional h_t = [fwd; rev].
    """
    h0 = net.h0 if h0 is None else h0
    c0 = net.c0 if c0 is None else c0
    T = len(X)
    xs = list(X)  # x_1..x_T of the layer being run
    finals: list[tuple[FloatArray, ...]] = []
    for cells in net.layers:
        # each direction's [(z_t, state_t) for t = 1..T]
        per_direction: list[list[tuple[FloatArray, tuple[FloatArray, ...]]]] = []
        for cell in cells:
            row = len(finals)
            reverse = len(per_direction) == 1 or net.direction is Direction.REVERSE
            state = cell.initial_state(h0[row], None if c0 is None else c0[row])  # h_0 (c_0)
            steps: list[tuple[FloatArray, tuple[FloatArray, ...]]] = [(np.empty(0), state)] * T
            for t in reversed(range(T)) if reverse else range(T):
                z_t, state = cell.step_with_z(xs[t], state)  # e.g. h_t = f(z_t)
                steps[t] = (z_t, state)
            finals.append(state)
            per_direction.append(steps)
        xs = [np.concatenate([steps[t][1][0] for steps in per_direction]) for t in range(T)]
    os = [reference_output(net, h_t) for h_t in xs]  # o_t = g(W_ho h_t + b_o)
    Z = [np.concatenate([steps[t][0] for steps in per_direction]) for t in range(T)]
    lstm = net.cell_kind == "lstm"
    C = [np.concatenate([steps[t][1][-1] for steps in per_direction]) for t in range(T)]
    return ReferenceRun(
        Z=np.array(Z),
        H=np.array(xs),
        C=np.array(C) if lstm else None,
        O=np.array(os),
        h_n=np.array([state[0] for state in finals]),
        c_n=np.array([state[1] for state in finals]) if lstm else None,
    )


def reference_feedback(
    net: Network, x_1: FloatArray, steps: int, h0: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """one-to-many with feedback, one step at a time: x_1 given, then x_t = o_{t-1}.
    X (steps x I, the inputs as run), H (steps x H) and O (steps x O)."""
    h0 = net.h0 if h0 is None else h0
    c0 = net.c0
    states = [
        cell.initial_state(h0[k], None if c0 is None else c0[k])
        for k, (cell,) in enumerate(net.layers)
    ]
    xs, hs, os = [], [], []
    x_t = x_1
    for _ in range(steps):
        xs.append(x_t)
        layer_input = x_t
        for k, (cell,) in enumerate(net.layers):
            states[k] = cell.step(layer_input, states[k])
            layer_input = states[k][0]  # the layer above reads this layer's h_t
        hs.append(layer_input)
        os.append(reference_output(net, layer_input))
        x_t = os[-1]  # x_{t+1} = o_t
    return np.array(xs), np.array(hs), np.array(os)


def reference_output(net: Network, h_t: FloatArray) -> FloatArray:
    """o_t = g(W_ho h_t + b_o), or h_t without an output layer."""
    if net.W_ho is None or net.b_o is None:
        return h_t
    g = net.output_activation
    a_t = np.dot(net.W_ho, h_t) + net.b_o
    return a_t if g is None else g(a_t)
