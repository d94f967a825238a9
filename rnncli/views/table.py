"""The forward pass for people (`-f table`): every run as its table, one row per step,
with sparklines under it, or under --explain as its explain view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import Group, RenderableType

from rnncli.cells.activations import FloatArray
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.printable import printable
from rnncli.views.column_groups import ColumnGroup, ForwardTable
from rnncli.views.explain_table import explain_view
from rnncli.views.sparklines import unit_sparklines
from rnncli.views.table_text import (
    ROWS_EACH_END,
    SATURATED,
    ViewParts,
    fixed,
    saturation_notes,
    shown_steps,
    title,
)


def runs_view(
    runs: list[Run],
    net: Network,
    precision: int = 4,
    elide: bool = False,
    parts: ViewParts | None = None,
) -> Group:
    """Every sequence in turn: its table (or explain view) and sparklines."""
    parts = parts or ViewParts()
    views: list[RenderableType] = []
    for run in runs:
        if run.explained is not None:
            views.append(
                explain_view(
                    run.result, net, run.explained, precision, elide, run.id, parts.hand_step,
                    parts.title,
                )
            )  # fmt: skip
        else:
            views.append(forward_view(run.result, net, precision, elide, run.id, run, parts))
    return Group(*views)


def forward_view(
    result: Forward,
    net: Network,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
    run: Run | None = None,
    parts: ViewParts | None = None,
) -> Group:
    """The table with, under it, a sparkline for every hidden unit and output (each
    left out where `parts` says); `run` brings the first step's t, the input's column
    names and the kept columns."""
    parts = parts or ViewParts()
    table = forward_table(result, net, precision, elide, sequence_id, run)
    if not parts.title:
        table.title = ""
    if not parts.sparklines:
        return Group(table)
    return Group(table, unit_sparklines(result, net, precision))


def forward_table(
    result: Forward,
    net: Network,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
    run: Run | None = None,
) -> ForwardTable:
    """The forward pass as a table, one row per step (row k is step t = k + first_t);
    o_t appears only with an output layer and where the mode emits. The kept columns
    follow t, and x_t's heading names the features where the input named them (names and
    kept cells shown printable, rnncli.printable). Numbers
    are coloured by sign and size; saturated units of tanh and sigmoid are marked *, with
    a word on inputs too large for the weights. `elide` shows the first and last steps.
    """
    first_t = 1 if run is None else run.first_t
    names = None if run is None else run.input_names
    kept_columns = None if run is None else run.kept
    rows = shown_steps(len(result.X), elide)
    kept = [k for k in rows if k is not None]
    # An LSTM's or GRU's h_t is not f(z_t): saturation is marked for the rnn cell only.
    saturated = SATURATED.get(net.activation.name) if net.cell_kind == "rnn" else None
    if saturated is not None and not _any_saturated(result.H[kept], saturated[1]):
        saturated = None  # nothing to mark: no room kept for marks either
    bounded = net.activation.name in ("tanh", "sigmoid")
    groups = [
        column_group(
            "x_t" if names is None else f"x_t: {', '.join(map(printable, names))}",
            kept,
            result.X[kept],
            precision,
        ),
        column_group("h_t", kept, result.H[kept], precision, 1.0 if bounded else None, saturated),
    ]
    if result.C is not None:  # an LSTM's cell state: a column group of its own
        groups.append(column_group("c_t", kept, result.C[kept], precision))
    notes = []
    if net.has_output_layer:
        # step index -> its row of O, for the kept steps that made an output
        emitted = {k: row for k in kept if (row := result.output_row(k)) is not None}
        g = net.output_activation.name if net.output_activation else None
        o_scale = 1.0 if g in ("sigmoid", "softmax", "tanh") else None
        O = result.O[list(emitted.values())].reshape(-1, net.output_size)
        groups.append(column_group("o_t", list(emitted), O, precision, o_scale))
    else:
        notes.append("no output layer: o_t = h_t")
    if None in rows:
        hidden = len(result.X) - len(kept)
        first_hidden = ROWS_EACH_END + first_t
        last_hidden = len(result.X) - ROWS_EACH_END + first_t - 1
        notes.append(
            f"{hidden:,} steps hidden, t = {first_hidden:,} to {last_hidden:,}; "
            "--all shows every row"
        )
    if saturated is not None:
        notes += saturation_notes(saturated[0], float(np.abs(result.X).max(initial=0.0)))
    labels = []  # the kept columns: their names and, per step index, their text (printable)
    if kept_columns is not None:
        for j, name in enumerate(kept_columns.names):
            texts = kept_columns.rows
            cells = {k: printable(texts[k][j]) for k in kept if k < len(texts)}
            labels.append((printable(name), cells))
    return ForwardTable(title(net, result, sequence_id), groups, rows, notes, first_t, labels)


def column_group(
    name: str,
    steps: list[int],
    rows: FloatArray,
    precision: int,
    scale: float | None = None,
    marks: tuple[str, Callable[[float], bool]] | None = None,
) -> ColumnGroup:
    """`rows` (the group's values at `steps`) as a column group; the colour scale is the
    largest |value| when None."""
    values = rows.tolist()
    if scale is None:
        finite = np.abs(rows[np.isfinite(rows)])
        scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    texts = [[fixed(v, precision) for v in row] for row in values]
    return ColumnGroup(
        name, dict(zip(steps, values, strict=True)), dict(zip(steps, texts, strict=True)),
        rows.shape[1], scale, marks,
    )  # fmt: skip


def _any_saturated(H: FloatArray, test: Callable[[Any], Any]) -> bool:
    return bool(test(H).any())
