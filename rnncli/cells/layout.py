"""The layout the cells' fast loops run in: features first, sequences last.

A batch comes to a cell's `run` sequence-major, T x B x I, and leaves it the same way
(T x B x G for G pre-activations). Inside the loop each step's arrays are G x B instead
(a vector of G for one sequence): then a gate's H rows are one contiguous block, every
elementwise pass runs over contiguous memory, and the recurrent product is W_hh h_{t-1}
with h_{t-1} H x B, as the lecture writes it. (Taking a gate as a column block of a
B x G array makes each pass walk B short strided rows: about a fifth slower for an LSTM
at B = 256, H = 32.) The results go back out as views, with no copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import Activation, FloatArray, sigmoid_into

#: One sequence's input part is taken this many steps at a time (see input_part); a
#: multiple of every row blocking a BLAS kernel uses (4, 6, 8, 12, 16, 24).
STEPS = 48


def input_part(inputs: FloatArray, W: FloatArray, b: FloatArray) -> FloatArray:
    """W x_t + b for every step, feature-major: T x G for one sequence (B = 1), T x G x B
    for a batch; from inputs T x B x I, W G x I and b G."""
    if inputs.shape[1] == 1:
        # Products of one shape, STEPS rows each (the last padded with zeros): a row's
        # last bits can depend on how many rows a product has, so one product over all
        # T rows would give a sequence run in two halves (--h0 from --save-state, or
        # streamed in pieces) other bits than one pass. Faster than a product per step.
        # float32 blocks are computed in float64 and rounded once: an AVX2 sgemm kernel
        # gives a row other bits by its place in the block (every sixth row), where the
        # float64 kernels give each row its bits wherever it is.
        X = inputs[:, 0]
        T, I = X.shape
        blocks = -(-T // STEPS)
        padded = np.zeros((blocks * STEPS, I), dtype=np.float64)
        padded[:T] = X
        W_wide = W.T.astype(np.float64, copy=False)
        wide = (padded.reshape(blocks, STEPS, I) @ W_wide).reshape(blocks * STEPS, -1)[:T]
        wide += b
        Z: FloatArray = wide if X.dtype == np.float64 else wide.astype(X.dtype)
    else:
        Z = np.matmul(W, inputs.transpose(0, 2, 1))  # one G x B product per step
        Z += b[:, np.newaxis]
    return Z


def sequence_major(values: FloatArray) -> FloatArray:
    """A feature-major result (T x G, or T x G x B) as T x B x G, a view."""
    return values[:, np.newaxis] if values.ndim == 2 else values.transpose(0, 2, 1)


def state_in(state: FloatArray) -> FloatArray:
    """A state given B x H, as the loop holds it: H for one sequence, else H x B."""
    return state[0] if len(state) == 1 else state.T


def state_out(state: FloatArray) -> FloatArray:
    """The loop's state (H, or H x B) as B x H."""
    return state[np.newaxis] if state.ndim == 1 else state.T


def per_unit(values: FloatArray, batch: bool) -> FloatArray:
    """A vector of H (a peephole), shaped to multiply a step's H x B block."""
    return values[:, np.newaxis] if batch else values


def alive_mask(lengths: npt.NDArray[np.int_], T: int) -> npt.NDArray[np.bool_] | None:
    """alive[t]: the sequences still running at step t + 1 (T x 1 x B), or None when every
    sequence runs all T steps (one sequence always does)."""
    alive = (np.arange(T)[:, np.newaxis] < lengths)[:, np.newaxis, :]
    return None if alive.all() else alive


def sigmoid_rows(
    σ: Activation, rows: slice, G: int, one: bool, dtype: np.dtype[Any]
) -> tuple[Callable[[FloatArray, FloatArray], FloatArray], FloatArray, slice | None]:
    """The gates' σ as a loop calls it, the signs of the G weight rows (G x 1), and the
    rows negated (or None).

    One sequence with the sigmoid: the rows of its gates (`rows`) are negated once, so
    each step's products give -z there, exactly (negation is exact and rounding
    symmetric), and σ skips its first pass (sigmoid_into); turn_back gives z back after
    the loop. Otherwise every sign is 1 and σ is the activation's own."""
    negate = one and σ.name == "sigmoid"
    sign = np.ones((G, 1), dtype=dtype)
    if negate:
        sign[rows] = -1
        return sigmoid_into(dtype, negated=True), sign, rows
    return σ.into(dtype), sign, None


def turn_back(
    values: FloatArray, negated: slice | None, swapped: tuple[slice, slice] | None
) -> None:
    """In place, for one sequence's pre-activations (T x G): the rows `negated` become
    0 - themselves (gates whose weights the loop negated; 0 - (-z) keeps a sum that
    cancelled +0), and the two equal blocks `swapped` trade places (gates the loop ran
    in another order).

    A few steps at a time, while they are in the cache: a copy of the whole would write
    as much again into new memory (three times the time for an LSTM at H = 128), and
    two passes over it cost half as much again."""
    steps = max(1, 2**18 // (values.shape[1] * values.itemsize))  # about 256 KiB
    zero = np.zeros((), values.dtype)
    kept = None if swapped is None else np.empty_like(values[:steps, swapped[0]])
    for start in range(0, len(values), steps):
        chunk = values[start : start + steps]
        if negated is not None:
            np.subtract(zero, chunk[:, negated], chunk[:, negated])
        if swapped is not None and kept is not None:
            a, b, held = chunk[:, swapped[0]], chunk[:, swapped[1]], kept[: len(chunk)]
            np.copyto(held, a)
            np.copyto(a, b)
            np.copyto(b, held)
