"""What rnncli.core.forward.forward_batch runs: each mode's inputs, and a batch split
into sub-batches on threads."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.fast_loop import run_together
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.option_values import Mode


def mode_inputs(
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


def run_in_parts(
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
