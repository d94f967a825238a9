"""Tables for people: the forward pass, one row per step, and a network at a glance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncli.rnn import FloatArray, Forward, Network
from rnncli.runs import Run
from rnncli.sparklines import sample, sparkline


def title(net: Network, result: Forward, sequence_id: str | int | None = None) -> str:
    """`textbook · 5 → 2 · many-to-many`: the network's name, sizes and the mode; with
    stacked layers, two directions or a batch, those too."""
    sizes = f"{net.input_size} → {net.hidden_size}"
    if net.num_layers > 1:
        sizes += f" × {net.num_layers} layers"
    if net.direction != "forward":
        sizes += f" {net.direction}"
    if net.has_output_layer:
        sizes += f" → {net.output_size}"
    parts = [net.name, sizes, str(result.mode)]
    if sequence_id is not None:
        parts.append(f"sequence {sequence_id}")
    return " · ".join(part for part in parts if part)


def runs_view(runs: list[Run], net: Network, precision: int = 4, elide: bool = False) -> Group:
    """Every sequence in turn: its table (or explain view) and sparklines."""
    from rnncli.render_explain import explain_view

    views: list[RenderableType] = []
    for run in runs:
        if run.explained is not None:
            views.append(explain_view(run.result, net, run.explained, precision, elide, run.id))
        else:
            views.append(forward_view(run.result, net, precision, elide, run.id))
    return Group(*views)


#: Steps a long table shows on a terminal: the first and the last ROWS_EACH_END.
ROWS_EACH_END = 10

#: Diverging heat colours, mid-tones readable on dark and light terminals alike:
#: negatives in blues, positives in reds, stronger with |value| / scale.
_NEGATIVE = ("steel_blue", "dodger_blue2", "blue1")
_POSITIVE = ("light_salmon3", "dark_orange3", "red3")

#: Where a unit of a saturating activation is saturated (its gradient nearly 0).
_SATURATED = {
    "tanh": ("|h| > 0.99", lambda h: abs(h) > 0.99),
    "sigmoid": ("h < 0.01 or h > 0.99", lambda h: h < 0.01 or h > 0.99),
}


def shown_steps(T: int, elide: bool) -> list[int | None]:
    """Row indices the table shows: all, or the first and last ROWS_EACH_END with None
    standing for the hidden ones between them."""
    if not elide or T <= 2 * ROWS_EACH_END + 1:
        return list(range(T))
    return [*range(ROWS_EACH_END), None, *range(T - ROWS_EACH_END, T)]


def forward_view(
    result: Forward,
    net: Network,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
) -> Group:
    """The table with, under it, a sparkline for every hidden unit and output."""
    table = forward_table(result, net, precision, elide, sequence_id)
    return Group(table, sparklines(result, net))


def forward_table(
    result: Forward,
    net: Network,
    precision: int = 4,
    elide: bool = False,
    sequence_id: str | int | None = None,
) -> Table:
    """The forward pass as a table, one row per step; o_t appears only with an output
    layer and where the mode emits. Numbers are coloured by sign and size; saturated
    units of tanh and sigmoid are marked *. `elide` shows the first and last steps only.
    """
    table = Table(
        title=Text(title(net, result, sequence_id)), title_justify="left", header_style="bold cyan"
    )
    table.add_column("t", justify="right", style="dim")
    table.add_column("x_t", justify="right")
    table.add_column("h_t", justify="right")
    show_output = net.has_output_layer
    if show_output:
        table.add_column("o_t", justify="right")
    notes = [] if show_output else ["no output layer: o_t = h_t"]

    rows = shown_steps(len(result.X), elide)
    kept = [k for k in rows if k is not None]
    saturated = _SATURATED.get(net.activation.name)
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
    cells = dict(zip(kept, zip(xs, hs, strict=True), strict=True))
    for k in rows:
        if k is None:
            hidden = len(result.X) - len(kept)
            ellipsis = Text("⋮", style="dim")
            table.add_row(ellipsis, ellipsis, ellipsis, *([ellipsis] if show_output else []))
            last_hidden = len(result.X) - ROWS_EACH_END
            notes.append(
                f"{hidden:,} steps hidden, t = {ROWS_EACH_END + 1:,} to {last_hidden:,}; "
                "--all shows every row"
            )
            continue
        x, h = cells[k]
        row = [Text(str(k + 1)), x, h]
        if show_output:
            row.append(emitted.get(k, Text("")))
        table.add_row(*row)
    if saturated is not None:
        notes.append(f"* saturated ({saturated[0]}): gradients through it vanish")
    if notes:
        table.caption = Text("\n".join(notes))
        table.caption_justify = "left"
    return table


def sparklines(result: Forward, net: Network) -> Table:
    """One line per hidden unit (and per output): its course over the steps."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold cyan")
    grid.add_column()
    grid.add_column(style="dim")
    series = [(f"h{k + 1}", result.H[:, k]) for k in range(net.state_size)]
    if net.has_output_layer and len(result.O) > 1:
        series += [(f"o{k + 1}", result.O[:, k]) for k in range(net.output_size)]
    for name, values in series:
        line = sparkline(values)
        sampled = sample(values)
        finite = sampled[np.isfinite(sampled)]
        span = f"{finite.min():.3g} … {finite.max():.3g}" if len(finite) else "not finite"
        grid.add_row(name, line, span)
    return grid


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


def fixed(value: float, precision: int) -> str:
    """`value` at `precision` decimals; in e-notation where that would be too long to read."""
    if abs(value) >= 1e15:
        return f"{value:.{precision}e}"
    text = f"{value:.{precision}f}"
    # -0.0000 is 0.0000: a sign with no digits behind it only confuses.
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def network_table(facts: dict[str, Any]) -> Table:
    """`rnncli inspect` for people: one fact per row."""
    table = Table(title=Text(facts["name"] or "network"), title_justify="left", show_header=False)
    table.add_column("fact", style="bold cyan")
    table.add_column("value")
    sizes = f"{facts['input_size']} → {facts['hidden_size']}"
    if facts["output_activation"] is not None:
        sizes += f" → {facts['output_size']}"
    rows = [("sizes", f"{sizes}  (I → H{' → O' if facts['output_activation'] else ''})")]
    if "num_layers" in facts:
        rows.append(("layers", f"{facts['num_layers']}, {facts['direction']}"))
    if "clip" in facts:
        rows.append(("clip", f"z_t clipped to ±{facts['clip']:g} before f"))
    rows += [
        ("activation", facts["activation"]),
        ("output", facts["output_activation"] or "none: o_t = h_t"),
        ("biases", _BIAS_WORDS[facts["bias"]]),
        ("parameters", f"{facts['parameters']:,}"),
        ("h0", "zeros" if not np.any(facts["h0"]) else str(facts["h0"])),
        ("spectral radius", f"{facts['spectral_radius']:.6g}  of W_hh"),
        ("", facts["spectral_radius_note"]),
    ]
    for fact, value in rows:
        table.add_row(fact, Text(value))
    return table


_BIAS_WORDS = {
    "two": "two: b_xh and b_hh",
    "one": "one: b_h",
    "none": "none",
    "mixed": "mixed: the layers give them differently",
}
