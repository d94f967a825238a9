"""Numeric trouble (overflow, an invalid operation, a division by zero) as rnncli says
it: one warning line on stderr naming the value, the step and the unit, never numpy's
RuntimeWarning with its source paths.

Every command runs inside `quiet_numpy` (cli._command): numpy's floating-point warnings
are not shown, in any thread. What they would have said is found in the results instead:
`first_non_finite` finds the first value that is not finite, and `overflow_line` says
where, for a forward run (h_t, c_t, o_t) and a backward one (L_t, dL/dh_t, dL/dz_t and
the gradients) alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where it is used: --help and --version go without it
    import numpy as np

#: numpy's messages for floating-point trouble: "overflow encountered in matmul", ...
NUMPY_TROUBLE = r"(overflow|invalid value|divide by zero|underflow) encountered"

#: The end of every overflow line: what to look at.
TOO_LARGE = "the weights or inputs are too large for this activation"


@contextmanager
def quiet_numpy() -> Iterator[None]:
    """numpy's floating-point RuntimeWarnings unshown for the block, in every thread (the
    warning filters are the process's; `python -W error` does not turn them into errors)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NUMPY_TROUBLE, category=RuntimeWarning)
        yield


def first_non_finite(
    candidates: Iterable[tuple[str, np.ndarray, Sequence[int]]], latest: bool = False
) -> tuple[str, int, int] | None:
    """(name, t, unit) of the first value that is not finite: among the candidates, each
    a name, its values (rows by step) and the step of each row; by the earliest step, or
    with `latest` the latest (backpropagation's order), then in the candidates' order.
    The unit counts from 1."""
    import numpy as np

    found = []
    for order, (name, values, steps) in enumerate(candidates):
        if np.size(values) == 0:
            continue
        rows = np.asarray(values).reshape(len(values), -1)
        bad = np.argwhere(~np.isfinite(rows))
        if not len(bad):
            continue
        if latest:
            row, unit = bad[np.flatnonzero(bad[:, 0] == bad[:, 0].max())[0]]
            found.append((-steps[row], order, name, int(unit) + 1, steps[row]))
        else:
            row, unit = bad[0]
            found.append((steps[row], order, name, int(unit) + 1, steps[row]))
    if not found:
        return None
    _, _, name, unit, t = min(found)
    return name, t, unit


def overflow_line(name: str, t: int, unit: int, sequence_id: str | int | None = None) -> str:
    """The warning for `name`_t (h, o, dL/dh, ...) not finite at step t, unit `unit`."""
    which = "" if sequence_id is None else f" in sequence {sequence_id}"
    return (
        f"rnncli: warning: {name}_t overflowed to inf or nan at t = {t:,} (unit {unit})"
        f"{which}; {TOO_LARGE}"
    )


def gradient_line(gradients: dict[str, np.ndarray]) -> str | None:
    """The warning for the first gradient (dL/dW_xh, ...) holding a value that is not
    finite, with its row and column (from 1), or None."""
    import numpy as np

    for name, values in gradients.items():
        array = np.atleast_1d(values)
        bad = np.argwhere(~np.isfinite(array))
        if len(bad):
            axes = ("unit",) if array.ndim == 1 else ("row", "column")
            where = ", ".join(f"{axis} {i + 1}" for axis, i in zip(axes, bad[0], strict=False))
            return f"rnncli: warning: dL/d{name} overflowed to inf or nan at {where}; {TOO_LARGE}"
    return None
