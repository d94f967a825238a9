"""Scaling the inputs before the network reads them, as a fitted StandardScaler does:

    x_t' = (x_t - mean) / std        mean, std: I values each, std > 0

The network then reads x_t' (W_xh x_t' + ...). `fitted_scale` fits mean and std to a
sequence: each feature's mean and population standard deviation over every step (a
constant feature gets std 1, so it becomes 0 rather than a division by zero).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncli.activations import FloatArray


class Scale(NamedTuple):
    """x_t' = (x_t - mean) / std, feature by feature."""

    mean: FloatArray  # I
    std: FloatArray  # I, every value > 0

    def apply(self, X: FloatArray) -> FloatArray:
        """The rows of X (T x I) scaled."""
        return (X - self.mean) / self.std

    def as_lists(self) -> dict[str, list[float]]:
        """{"mean": [...], "std": [...]}, as the config's `scale:` block and a state file
        hold it."""
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}


def fitted_scale(Xs: list[FloatArray]) -> tuple[Scale, list[int]]:
    """mean and population std of each feature over every step of every sequence (as a
    StandardScaler fitted on all their rows), and the features (from 1) that were
    constant, whose std is taken as 1."""
    rows = np.concatenate([X.astype(np.float64) for X in Xs])  # (sum of T) x I
    mean = rows.mean(axis=0)
    std = rows.std(axis=0)  # population: divided by the number of steps, ddof = 0
    constant = [int(i) + 1 for i in np.flatnonzero(std == 0)]
    std[std == 0] = 1.0
    return Scale(mean=mean, std=std), constant


def scale_line(scale: Scale, constant: list[int]) -> str:
    """The one line --standardize prints on stderr: the mean and std it used."""
    mean = ", ".join(repr(v) for v in scale.mean.tolist())
    std = ", ".join(repr(v) for v in scale.std.tolist())
    line = f"rnncli: standardized: mean [{mean}], std [{std}]"
    if constant:
        which = ", ".join(str(i) for i in constant)
        words = "feature {} is" if len(constant) == 1 else "features {} are"
        line += f" ({words.format(which)} constant: std taken as 1)"
    return line
