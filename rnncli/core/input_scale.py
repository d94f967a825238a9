"""Scaling the inputs before the network reads them, as a fitted StandardScaler does:

    x_t' = (x_t - mean) / std        mean, std: I values each, std > 0

The network then reads x_t' (W_xh x_t' + ...). `fitted_scale` fits mean and std to a
sequence: each feature's mean and population standard deviation over every step (a
constant feature gets std 1, so it becomes 0 rather than a division by zero).

Inputs as large as ±1e308 are legal and their mean, std and scaled values are finite, but
the plain sums overflow on the way (1e308 + 1e308, 1e308²). A feature whose plain result
is not finite is computed again scaled by a power of two, 2^-e with 2^e just above its
largest |x|: every value then lies in (-1, 1), nothing overflows, and multiplying by a
power of two is exact, so the scaled path gives the bits the plain one would have given
with an unbounded exponent. A feature whose plain result is finite keeps the plain
result, so ordinary inputs give the same bits as ever.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import FloatArray


class Scale(NamedTuple):
    """x_t' = (x_t - mean) / std, feature by feature."""

    mean: FloatArray  # I
    std: FloatArray  # I, every value > 0

    def apply(self, X: FloatArray) -> FloatArray:
        """The rows of X (T x I) scaled: (X - mean) / std, with no overflow on the way
        where the result itself is finite."""
        with np.errstate(all="ignore"):
            scaled = (X - self.mean) / self.std
            overflowed = _overflowed(scaled, X)
            if overflowed.any():
                # 2^e above every |x|, |mean| and std of the feature: the quotient of the
                # scaled difference is the same, and the difference cannot overflow.
                both = np.vstack([X[:, overflowed], self.mean[overflowed], self.std[overflowed]])
                e = _exponents(both)
                low = np.ldexp(X[:, overflowed], -e) - np.ldexp(self.mean[overflowed], -e)
                scaled[:, overflowed] = low / np.ldexp(self.std[overflowed], -e)
        return scaled

    def as_lists(self) -> dict[str, list[float]]:
        """{"mean": [...], "std": [...]}, as the config's `scale:` block and a state file
        hold it."""
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}


def fitted_scale(Xs: list[FloatArray]) -> tuple[Scale, list[int]]:
    """mean and population std of each feature over every step of every sequence (as a
    StandardScaler fitted on all their rows), and the features (from 1) that were
    constant, whose std is taken as 1."""
    rows = np.concatenate([X.astype(np.float64) for X in Xs])  # (sum of T) x I
    with np.errstate(all="ignore"):
        mean = rows.mean(axis=0)
        std = rows.std(axis=0)  # population: divided by the number of steps, ddof = 0
        overflowed = _overflowed(mean, rows) | _overflowed(std, rows)
        if overflowed.any():
            # The whole matrix, the other features scaled by 2^0: numpy sums a column
            # in an order that depends on the matrix's shape, and the order is kept.
            e = np.where(overflowed, _exponents(rows), 0)
            small = np.ldexp(rows, -e)  # every value of an overflowed feature in (-1, 1)
            mean[overflowed] = np.ldexp(small.mean(axis=0), e)[overflowed]
            std[overflowed] = np.ldexp(small.std(axis=0), e)[overflowed]
    constant = [int(i) + 1 for i in np.flatnonzero(std == 0)]
    std[std == 0] = 1.0
    return Scale(mean=mean, std=std), constant


def _overflowed(result: FloatArray, inputs: FloatArray) -> npt.NDArray[np.bool_]:
    """The features (columns) whose result is not finite though every input is."""
    bad = np.asarray(~np.isfinite(result))
    if bad.ndim == 2:
        bad = np.asarray(bad.any(axis=0))
    return np.asarray(bad & np.isfinite(inputs).all(axis=0))


def _exponents(columns: FloatArray) -> npt.NDArray[np.intc]:
    """Each column's e, with 2^(e-1) <= its largest |x| < 2^e (0 for a column of 0s)."""
    exponents: npt.NDArray[np.intc] = np.frexp(np.abs(columns).max(axis=0))[1]
    return exponents


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
