"""A forward pass as plain values for programs: step by step as Python floats, and
numbers as the shortest text that reads back bit for bit.

Every machine format is built from these pieces: `steps()`, the result step by step,
and `number_text()` / `row_bodies()`, Python's shortest round-trip text, so
float(text) gives back the computed value exactly and all formats carry the same values.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.column_choice import Kept
from rnncli.core.explain import Terms
from rnncli.core.forward_result import Forward
from rnncli.views.explained_terms import OUTPUT_TERMS, gate_arrays, term_arrays


class Step(NamedTuple):
    """One step t: x_t, h_t, o_t where the mode makes one, and the explained terms."""

    t: int
    x: list[float]
    h: list[float]
    o: list[float] | None
    terms: dict[str, list[float]] | None = None
    layers: list[list[float]] | None = None  # every layer's state, with stacked layers
    c: list[float] | None = None  # an LSTM's c_t (the top layer's)
    keep: dict[str, str] | None = None  # the --keep columns' cells, by name
    gates: dict[str, list[float]] | None = None  # explained: an LSTM's or GRU's gate values


def steps(
    result: Forward, explained: Terms | None = None, first_t: int = 1, kept: Kept | None = None
) -> Iterator[Step]:
    """Every step of the result, t = first_t.., as plain Python floats; under --explain
    each carries its terms by key (see explained_terms), the output layer's only where
    the step makes an output; the steps read from the input carry their kept cells."""
    kept_rows = (
        [] if kept is None else [dict(zip(kept.names, row, strict=True)) for row in kept.rows]
    )
    outputs = dict(zip(result.output_steps, result.O.tolist(), strict=True))
    shift = first_t - 1
    per_step = per_gate = None
    if explained is not None:
        per_step = {key: array.tolist() for key, array in term_arrays(explained).items()}
        per_gate = {gate: array.tolist() for gate, array in gate_arrays(explained).items()}
    layers = result.layers.tolist() if result.layers.shape[1] > 1 else None
    cells = None if result.C is None else result.C.tolist()
    for t, (x, h) in enumerate(zip(result.X.tolist(), result.H.tolist(), strict=True), start=1):
        o = outputs.get(t)
        terms = None
        if per_step is not None:
            terms = {key: values[t - 1] for key, values in per_step.items()}
            if o is None:  # no output here, so no output terms either
                terms = {key: v for key, v in terms.items() if key not in OUTPUT_TERMS}
        layer_states = None if layers is None else layers[t - 1]
        c = None if cells is None else cells[t - 1]
        keep = kept_rows[t - 1] if t <= len(kept_rows) else None
        gates = {gate: values[t - 1] for gate, values in per_gate.items()} if per_gate else None
        yield Step(t + shift, x, h, o, terms, layer_states, c, keep=keep, gates=gates)


def number_text(value: float) -> str:
    """The shortest text that float() reads back as exactly `value` (nan, inf, -inf too)."""
    return repr(value) if math.isfinite(value) else str(value)


def row_bodies(rows: FloatArray) -> list[str]:
    """Each row of finite `rows` as its values joined by commas, written by orjson (Ryu's
    shortest round-trip digits, as Python's repr gives, at a fraction of the cost)."""
    import orjson

    if len(rows) == 0:
        return []
    text = orjson.dumps(rows.astype(np.float64), option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text[2:-2].split("],[")
