"""Sequence and Batch: what every reader gives, the sequence X a T x I float array (row
t-1 holds x_t)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from rnncli.column_choice import Kept

#: The numbers of a sequence as read: float64, whatever dtype the run then computes in.
Float64Array = npt.NDArray[np.float64]


class Sequence(NamedTuple):
    """A sequence of T steps of I features, and where it came from."""

    X: Float64Array  # T x I
    source: str
    columns: tuple[str, ...] | None = None  # the features' names, where there was a header
    id: str | int | None = None  # its name in a batch of sequences
    kept: Kept | None = None  # the --keep columns, copied into the output

    @property
    def features(self) -> int:
        return int(self.X.shape[1])


class Batch(NamedTuple):
    """The sequences of one input; `batched` when it was written as several (even one)."""

    sequences: list[Sequence]
    batched: bool
