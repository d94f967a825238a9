"""forward() and forward_batch(): the modes, and a batch split into sub-batches on threads.

The pipeline checks what a run asks for (that a mode's network runs forward in time,
that feedback has O = I, that one-to-many gets one row) before it calls these, with a
message for the user; here those rules are asserts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import FloatArray
from rnncli.core.forward import feedback_run, run_together
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.option_values import Direction, Mode


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
        inputs, first_outputs = _prepare(sequences, mode, steps, dtype)
    if feedback:
        assert mode is Mode.ONE_TO_MANY
        return feedback_run(net, inputs, h_0, c_0)
    return _run_in_parts(net, inputs, first_outputs, h_0, mode, c_0)


def _prepare(
    sequences: Sequence[FloatArray], mode: Mode, steps: int | None, dtype: np.dtype
) -> tuple[list[FloatArray], list[int]]:
    """The inputs each sequence runs over in `mode`, and the first step t that emits."""
    inputs, first = [], []
    for X in sequences:
        X = np.asarray(X, dtype=dtype)
        if mode is Mode.ONE_TO_MANY:
            assert len(X) == 1 and steps, "one-to-many reads one row x_1, for steps >= 1"
            # x_1, then zeros: o_1..o_steps
            X = np.vstack([X, np.zeros((steps - 1, X.shape[1]), dtype=dtype)])
            first.append(1)
        elif mode is Mode.MANY_TO_MANY_DELAYED:
            assert steps, "many-to-many-delayed needs steps >= 1"
            # x_1..x_T, then `steps` zeros, each emitting: o_{T+1}..o_{T+steps}
            first.append(len(X) + 1)
            X = np.vstack([X, np.zeros((steps, X.shape[1]), dtype=dtype)])
        else:
            first.append(len(X) if mode is Mode.MANY_TO_ONE else 1)
        inputs.append(X)
    return inputs, first


#: A batch runs as sub-batches of this many sequences (the last may hold fewer). The
#: split depends on the input alone, never on the machine: a matrix product's last bits
#: can depend on its number of rows, so the same input gives the same bits everywhere.
PART_SEQUENCES = 256


def _run_in_parts(
    net: Network,
    inputs: list[FloatArray],
    first_outputs: list[int],
    h_0: FloatArray,
    mode: Mode,
    c_0: FloatArray | None,
) -> list[Forward]:
    """Every sequence, a sub-batch at a time, on as many cores as there are to use.

    Sequences are independent, so sub-batches run side by side in threads (numpy lets
    go of the interpreter inside its loops); results come back in input order.
    """
    parts = [
        slice(start, start + PART_SEQUENCES) for start in range(0, len(inputs), PART_SEQUENCES)
    ]
    results: list[list[Forward]] = [[] for _ in parts]
    failures: list[BaseException] = []

    def run(indices: range) -> None:
        try:
            for i in indices:
                part = parts[i]
                results[i] = run_together(net, inputs[part], first_outputs[part], h_0, mode, c_0)
        except BaseException as error:  # handed to the caller's thread below
            failures.append(error)

    workers = min(cores(), len(parts))
    if workers == 1:
        run(range(len(parts)))
    else:
        import threading

        # Daemon threads, and a join that Ctrl-C interrupts: an interrupted run ends at
        # once rather than when every sub-batch is done.
        threads = [
            threading.Thread(target=run, args=(range(w, len(parts), workers),), daemon=True)
            for w in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return [result for part in results for result in part]


def cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
