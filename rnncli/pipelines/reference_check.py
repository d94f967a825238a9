"""--expect: the run held to a reference, value by value, within a tolerance.

A run value a agrees with the reference's r when |a - r| <= atol + rtol * |r| (numpy's
isclose). The reference's rows go with the run's steps by their t, or, without a t
column, in the order rnncli writes the steps (with --last, the steps that make an
output). The run is checked piece by piece as it goes (a stream too), with its exact
values, whatever -p rounds in the output.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.errors import RnnCliError, located
from rnncli.io.reference import COLUMN, Reference
from rnncli.message_words import shown

#: The tolerance when none is given.
DEFAULT_ATOL = 1e-6
DEFAULT_RTOL = 0.0


class Difference(NamedTuple):
    """One value compared: where, the run's value, the reference's, |a - r|."""

    t: int
    column: str
    run: float
    reference: float
    size: float


class ReferenceCheck:
    """Holds the run to `reference`: `check` each piece as it comes, then `verdict`."""

    def __init__(self, reference: Reference, net: Network, atol: float, rtol: float) -> None:
        self.reference = reference
        self.atol, self.rtol = atol, rtol
        self.by_t: dict[int, dict[str, float]] = {}
        for t, values in reference.rows:
            if t in self.by_t:
                raise RnnCliError(f"{reference.source}: gives t = {t} twice")
            if t is not None:
                self.by_t[t] = values
        self.in_order = [values for t, values in reference.rows if t is None]
        sizes = {"x": net.input_size, "h": net.state_size, "o": net.output_size}
        for _, values in reference.rows:
            for column in values:
                match = COLUMN.fullmatch(column)
                if match is None:
                    continue  # a feature's name from the input's header: see check()
                name, unit = match[1], int(match[2])
                if unit > sizes[name]:
                    raise RnnCliError(
                        f"{reference.source}: column {column}: the network has "
                        f"{name}1..{name}{sizes[name]}"
                    )
        self.written = 0  # steps of the run seen so far
        self.last_t = 0
        self.compared = 0
        self.first: Difference | None = None  # the first that disagrees
        self.largest: Difference | None = None

    def check(self, run: Run) -> None:
        """Compare the reference's values at the steps of this piece of the run."""
        result = run.result
        for k in range(len(result.X)):
            t = run.first_t + k
            self.written += 1
            self.last_t = t
            values = dict(self.by_t.pop(t, {}))
            if self.written <= len(self.in_order):
                values.update(self.in_order[self.written - 1])
            if not values:
                continue
            row = result.output_row(k)
            vectors = {"x": result.X[k], "h": result.H[k]}
            if row is not None:
                vectors["o"] = result.O[row]
            names = run.input_names or ()
            for column, expected in values.items():
                match = COLUMN.fullmatch(column)
                if match is None:  # x columns named as the input's header names them
                    if column not in names:
                        message = (
                            f"column {shown(column)} is not one --expect compares; the header "
                            "names t, x1..xI, h1..hH or o1..oO (x columns may go by the "
                            "input's feature names)"
                        )
                        where = self.reference.header_line
                        raise RnnCliError(located(self.reference.source, message, where))
                    self._compare(t, column, float(result.X[k][names.index(column)]), expected)
                    continue
                vector = vectors.get(match[1])
                if vector is None:
                    raise RnnCliError(
                        f"{self.reference.source}: gives {column} at t = {t}, where the run "
                        "makes no output"
                    )
                self._compare(t, column, float(vector[int(match[2]) - 1]), expected)

    def _compare(self, t: int, column: str, value: float, expected: float) -> None:
        self.compared += 1
        size = abs(value - expected)
        difference = Difference(t, column, value, expected, size)
        if math.isnan(size):
            size = math.inf
        if self.largest is None or size > self.largest.size:
            self.largest = difference._replace(size=size)
        if self.first is None and not size <= self.atol + self.rtol * abs(expected):
            self.first = difference

    def verdict(self) -> str:
        """The line that says the run agrees; an RnnCliError (exit 1) where it does not."""
        source = self.reference.source
        beyond = sorted(self.by_t)
        if beyond:
            raise RnnCliError(f"{source}: has t = {beyond[0]}, the run ends at t = {self.last_t}")
        if len(self.in_order) > self.written:
            raise RnnCliError(
                f"{source}: has {len(self.in_order)} rows, the run writes {self.written}"
            )
        tolerance = f"atol {self.atol:g}, rtol {self.rtol:g}"
        largest = self.largest
        assert largest is not None  # the reader refuses a reference with no values
        where = f"{largest.size:.3g} at t = {largest.t}, {largest.column}"
        first = self.first
        if first is not None:
            raise RnnCliError(
                f"{source}: disagrees at t = {first.t}, {first.column}: the run has "
                f"{first.run!r}, {source} has {first.reference!r} (difference "
                f"{first.size:.3g}, beyond {tolerance}); largest difference {where}"
            )
        return (
            f"rnncli: {source} agrees to within {tolerance}: {self.compared} values, "
            f"largest difference {where}"
        )
