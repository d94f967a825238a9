"""The forward table and the explain view's tables as plain text cells, for the views
written into documents (Markdown, LaTeX): the same rows, numbers and notes as the rich
table, without its colours.

Columns are the machine formats' names (t, x1..xI, h1..hH, c1..cH, o1..oO); a long run
keeps its first and last ROWS_EACH_END rows with one row of ⋮ between them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncli.core.explain import Terms
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.views.explained_terms import HIDDEN_ROWS, OUTPUT_ROWS, view_terms
from rnncli.views.gated_rows import SATURATION_NOTE, gated_rows, saturation_marks
from rnncli.views.sparklines import sample, sparkline
from rnncli.views.table_text import ROWS_EACH_END, SATURATED, fixed, saturation_notes, shown_steps

#: The cell of an elided row.
ELIDED = "⋮"


class PlainTable(NamedTuple):
    """A table of text cells: the first column is a label (t, or the term), the others
    numbers, right-aligned (text, left-aligned, when `numbers` is off)."""

    title: str | None
    header: list[str]
    rows: list[list[str]]
    notes: list[str]
    numbers: bool = True


def forward_table(
    result: Forward, net: Network, precision: int, elide: bool, title: str | None
) -> PlainTable:
    """One row per step: x_t, h_t (saturated units marked *), c_t and o_t where there."""
    steps = shown_steps(len(result.X), elide)
    groups = [("x", result.X), ("h", result.H)]
    if result.C is not None:
        groups.append(("c", result.C))
    header = ["t"] + [f"{name}{u + 1}" for name, values in groups for u in range(values.shape[1])]
    if net.has_output_layer:
        header += [f"o{u + 1}" for u in range(net.output_size)]
    saturated = SATURATED.get(net.activation.name) if net.cell_kind == "rnn" else None
    marked = False
    rows = []
    for k in steps:
        if k is None:
            rows.append([ELIDED] * len(header))
            continue
        row = [str(k + 1)]
        for name, values in groups:
            for v in values[k].tolist():
                mark = name == "h" and saturated is not None and bool(saturated[1](v))
                marked = marked or mark
                row.append(fixed(v, precision) + ("*" if mark else ""))
        if net.has_output_layer:
            output_row = result.output_row(k)
            o = [] if output_row is None else result.O[output_row].tolist()
            row += [fixed(v, precision) for v in o] or [""] * net.output_size
        rows.append(row)
    notes = [] if net.has_output_layer else ["no output layer: o_t = h_t"]
    if None in steps:
        hidden = len(result.X) - 2 * ROWS_EACH_END
        notes.append(f"{hidden:,} steps hidden, t = {ROWS_EACH_END + 1:,} to "
                     f"{len(result.X) - ROWS_EACH_END:,}; --all shows every row")  # fmt: skip
    if marked and saturated is not None:
        notes += saturation_notes(saturated[0], float(np.abs(result.X).max(initial=0.0)))
    return PlainTable(title, header, rows, notes)


def explain_tables(
    result: Forward, net: Network, explained: Terms, precision: int, k: int
) -> list[PlainTable]:
    """Step t = k + 1 as the explain view shows it: the hidden layer's terms, one column
    per unit, and with an output layer (where the step makes one) the output's."""
    terms = view_terms(explained)
    if net.gates:  # the table's rows, gate by gate (gated_rows)
        rows = [
            [label.plain, *values] for label, values in gated_rows(result, net, terms, k, precision)
        ]
        notes = [SATURATION_NOTE] if any(saturation_marks(net, terms, k)) else []
    else:
        rows = [[name, *(fixed(v, precision) for v in terms[key][k].tolist())]
                for name, key in HIDDEN_ROWS]  # fmt: skip
        rows.append([f"h_t = {net.activation.name}(z_t)",
                     *(fixed(v, precision) for v in result.H[k].tolist())])  # fmt: skip
        notes = []
    units = [f"unit {u + 1}" for u in range(len(rows[0]) - 1)]
    tables = [PlainTable(f"t = {k + 1}", ["term", *units], rows, notes)]
    output_row = result.output_row(k)
    if "o_pre" in terms and output_row is not None:
        g = net.output_activation or "identity"
        outputs = [[name, *(fixed(v, precision) for v in terms[key][k].tolist())]
                   for name, key in OUTPUT_ROWS]  # fmt: skip
        outputs.append([f"o_t = {g}(...)", *(fixed(v, precision) for v in result.O[output_row])])
        heads = [f"output {u + 1}" for u in range(net.output_size)]
        tables.append(PlainTable(None, ["term", *heads], outputs, []))
    return tables


def sparkline_rows(result: Forward, net: Network, precision: int) -> list[tuple[str, str, str]]:
    """(name, blocks, range) for each hidden unit and output, as under the table."""
    series = [(f"h{u + 1}", result.H[:, u]) for u in range(net.state_size)]
    if net.has_output_layer and len(result.O) > 1:
        series += [(f"o{u + 1}", result.O[:, u]) for u in range(net.output_size)]
    lines = []
    for name, values in series:
        finite = sample(values)[np.isfinite(sample(values))]
        span = f"{finite.min():.3g} … {finite.max():.3g}" if len(finite) else "not finite"
        lines.append((name, sparkline(values, flat_below=10.0**-precision), span))
    return lines
