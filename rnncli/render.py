"""The forward pass for people (`-f table`): every run as its table, one row per step,
with sparklines under it, or under --explain as its explain view."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncli.activations import FloatArray
from rnncli.forward import Forward
from rnncli.network import Network
from rnncli.render_explain import explain_view
from rnncli.run import Run
from rnncli.sparklines import unit_sparklines
from rnncli.table_text import ROWS_EACH_END, fixed, shown_steps, title


def runs_view(runs: list[Run], net: Network, precision: int = 4, elide: bool = False) -> Group:
    """Every sequence in turn: its table (or explain view) and sparklines."""
    views: list[RenderableType] = []
    for run in runs:
        if run.explained is not None:
            views.append(explain_view(run.result, net, run.explained, precision, elide, run.id))
        else:
            views.append(forward_view(run.result, net, precision, elide, run.id, run))
    return Group(*views)


#: Diverging heat colours, mid-tones readable on dark and light terminals alike:
#: negatives in blues, positives in reds, stronger with |value| / scale.
_NEGATIVE = ("steel_blue", "dodger_blue2", "blue1")
_POSITIVE = ("light_salmon3", "dark_orange3", "red3")

#: Where a unit of a saturating activation is saturated (its gradient nearly 0).
_SATURATED = {
    "tanh": ("|h| > 0.99", lambda h: abs(h) > 0.99),
    "sigmoid": ("h < 0.01 or h > 0.99", lambda h: h < 0.01 or h > 0.99),
}


def forward_view(
    result: Forward,
    net: Network,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
    run: Run | None = None,
) -> Group:
    """The table with, under it, a sparkline for every hidden unit and output; `run`
    brings the input's column names and kept columns."""
    table = forward_table(result, net, precision, elide, sequence_id, run)
    return Group(table, unit_sparklines(result, net))


def forward_table(
    result: Forward,
    net: Network,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
    run: Run | None = None,
) -> Table:
    """The forward pass as a table, one row per step; o_t appears only with an output
    layer and where the mode emits. The kept columns follow t, and x_t's heading names
    the features where the input named them. Numbers are coloured by sign and size;
    saturated units of tanh and sigmoid are marked *. `elide` shows the first and last
    steps only.
    """
    table = Table(
        title=Text(title(net, result, sequence_id)), title_justify="left", header_style="bold cyan"
    )
    table.add_column("t", justify="right", style="dim")
    kept_columns = run.kept if run is not None else None
    for name in kept_columns.names if kept_columns is not None else ():
        table.add_column(name)
    names = run.input_names if run is not None else None
    table.add_column("x_t" if names is None else f"x_t: {', '.join(names)}", justify="right")
    table.add_column("h_t", justify="right")
    C = result.C  # an LSTM's cell state: a column group of its own
    if C is not None:
        table.add_column("c_t", justify="right")
    show_output = net.has_output_layer
    if show_output:
        table.add_column("o_t", justify="right")
    notes = [] if show_output else ["no output layer: o_t = h_t"]

    rows = shown_steps(len(result.X), elide)
    kept = [k for k in rows if k is not None]
    # An LSTM's or GRU's h_t is not f(z_t): saturation is marked for the rnn cell only.
    saturated = _SATURATED.get(net.activation.name) if net.cell_kind == "rnn" else None
    if saturated is not None and not _any_saturated(result.H[kept], saturated[1]):
        saturated = None  # nothing to mark: no room kept for marks either
    bounded = net.activation.name in ("tanh", "sigmoid")
    xs = _cells(result.X[kept], precision)
    hs = _cells(result.H[kept], precision, scale=1.0 if bounded else None, marks=saturated)
    # step index k -> its row of O, for the kept steps that made an output
    rows_of_O = {k: result.output_row(k) for k in kept} if show_output else {}
    emitted_rows = {k: row for k, row in rows_of_O.items() if row is not None}
    g = net.output_activation.name if net.output_activation else None
    o_scale = 1.0 if g in ("sigmoid", "softmax", "tanh") else None
    os_ = _cells(result.O[list(emitted_rows.values())], precision, scale=o_scale)
    emitted = dict(zip(emitted_rows, os_, strict=True))
    cs = [] if C is None else _cells(C[kept], precision)
    cells = dict(zip(kept, zip(xs, hs, strict=True), strict=True))
    c_cells = dict(zip(kept, cs, strict=False))  # none without a c
    for k in rows:
        if k is None:
            hidden = len(result.X) - len(kept)
            ellipsis = Text("⋮", style="dim")
            table.add_row(*[ellipsis] * len(table.columns))
            last_hidden = len(result.X) - ROWS_EACH_END
            notes.append(
                f"{hidden:,} steps hidden, t = {ROWS_EACH_END + 1:,} to {last_hidden:,}; "
                "--all shows every row"
            )
            continue
        x, h = cells[k]
        row = [Text(str(k + 1))]
        if kept_columns is not None:
            texts = (
                kept_columns.rows[k]
                if k < len(kept_columns.rows)
                else ("",) * len(kept_columns.names)
            )
            row += [Text(text) for text in texts]
        row += [x, h]
        if C is not None:
            row.append(c_cells[k])
        if show_output:
            row.append(emitted.get(k, Text("")))
        table.add_row(*row)
    if saturated is not None:
        notes.append(f"* saturated ({saturated[0]}): gradients through it vanish")
    if notes:
        table.caption = Text("\n".join(notes))
        table.caption_justify = "left"
    return table


def _cells(
    rows: FloatArray,
    precision: int,
    scale: float | None = None,
    marks: tuple[str, Callable[[float], bool]] | None = None,
) -> list[Text]:
    """Each vector as its components at `precision`, right-aligned across the rows,
    coloured by sign and by |value| / scale (scale: the largest |value| when None)."""
    if len(rows) == 0:
        return []
    values = rows.tolist()
    texts = [[fixed(v, precision) for v in row] for row in values]
    widths = [max(len(row[k]) for row in texts) for k in range(len(texts[0]))]
    if scale is None:
        finite = np.abs(rows[np.isfinite(rows)])
        scale = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    cells = []
    for row_values, row_texts in zip(values, texts, strict=True):
        cell = Text()
        for k, (value, text) in enumerate(zip(row_values, row_texts, strict=True)):
            if k:
                cell.append("  ")
            cell.append(text.rjust(widths[k]), style=_heat(value, scale))
            if marks is not None:
                cell.append("*" if marks[1](value) else " ", style="bold")
        cells.append(cell)
    return cells


def _heat(value: float, scale: float) -> str:
    if not np.isfinite(value) or value == 0:
        return ""
    level = min(int(abs(value) / scale * len(_POSITIVE)), len(_POSITIVE) - 1)
    return (_POSITIVE if value > 0 else _NEGATIVE)[level]


def _any_saturated(H: FloatArray, test: Callable[[float], bool]) -> bool:
    return any(test(v) for v in H.ravel().tolist())
