"""A run as it is written, when the options ask for less than every exact number:
only the steps that make an output (--last), or every number rounded (-p N).

Both give a new Run for the writers and the table; the run itself (what --expect
compares and --save-state saves) is left as computed.
"""

from __future__ import annotations

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.sequence_run import Run


def output_steps_only(run: Run) -> Run:
    """The run from its first output on: the steps that make an output.

    Every mode's outputs are the steps first_output..T (many-to-one: t = T alone;
    many-to-many-delayed: the N steps after the input), so this is one slice of every
    T-row array, with first_t moved to keep each step's own t.
    """
    result = run.result
    skip = result.first_output - 1  # the steps before the first output
    if skip == 0:
        return run
    sliced = result._replace(
        X=result.X[skip:],
        Z=result.Z[skip:],
        H=result.H[skip:],
        layers=result.layers[skip:],
        C=None if result.C is None else result.C[skip:],
        first_output=1,
    )
    return run._replace(result=sliced, first_t=run.first_t + skip)


def rounded_run(run: Run, decimals: int) -> Run:
    """Every number of the run as it is written, rounded to `decimals` (half to even,
    on the exact binary value, as Python's round does): x, h, o, every layer's state
    and h_n, an LSTM's c and c_n. The explained terms too, where there are any: every
    term a writer gives is one of the terms' arrays (explain.Terms holds the sums and
    products too, computed from the exact values), so each written number is rounded
    here once, from its exact value, and nothing is computed from rounded numbers."""
    result = run.result
    rounded = result._replace(
        X=rounded_values(result.X, decimals),
        H=rounded_values(result.H, decimals),
        O=rounded_values(result.O, decimals),
        layers=rounded_values(result.layers, decimals),
        h_n=rounded_values(result.h_n, decimals),
        C=None if result.C is None else rounded_values(result.C, decimals),
        c_n=None if result.c_n is None else rounded_values(result.c_n, decimals),
    )
    explained = run.explained
    if explained is not None:
        explained = explained._replace(
            **{
                name: rounded_values(value, decimals)
                for name, value in explained._asdict().items()
                if isinstance(value, np.ndarray)
            },
            formulation_2_difference=round(explained.formulation_2_difference, decimals),
        )
    return run._replace(result=rounded, explained=explained)


def rounded_values(values: FloatArray, decimals: int) -> FloatArray:
    """`values` rounded to `decimals`, each the float nearest to its correctly rounded
    decimal (so its shortest text has at most `decimals` decimals); inf and nan stay.
    A float32 value is rounded from its own exact decimal (float64 holds it exactly)."""
    flat = [round(value, decimals) for value in values.astype(np.float64).ravel().tolist()]
    return np.array(flat, dtype=np.float64).reshape(values.shape)
