"""The rich table for people: one row per step with t, x_t, h_t and o_t."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from rnncli.rnn import Forward, Network


def title(net: Network, result: Forward) -> str:
    """`textbook · 5 → 2 · many-to-many`: the network's name, sizes and the mode."""
    sizes = f"{net.input_size} → {net.hidden_size}"
    if net.has_output_layer:
        sizes += f" → {net.output_size}"
    return " · ".join(part for part in (net.name, sizes, str(result.mode)) if part)


def forward_table(result: Forward, net: Network, precision: int = 4) -> Table:
    """The forward pass as a table; o_t appears only with an output layer and where emitted."""
    table = Table(title=Text(title(net, result)), title_justify="left", header_style="bold cyan")
    table.add_column("t", justify="right", style="dim")
    table.add_column("x_t", justify="right")
    table.add_column("h_t", justify="right")
    show_output = net.has_output_layer
    if show_output:
        table.add_column("o_t", justify="right")
    else:
        table.caption = "no output layer: o_t = h_t"
        table.caption_justify = "left"

    xs = _aligned(result.X.tolist(), precision)
    hs = _aligned(result.H.tolist(), precision)
    emitted = dict(zip(result.output_steps, _aligned(result.O.tolist(), precision), strict=True))
    for t, (x, h) in enumerate(zip(xs, hs, strict=True), start=1):
        cells = [Text(str(t)), Text(x), Text(h)]
        if show_output:
            cells.append(Text(emitted.get(t, "")))
        table.add_row(*cells)
    return table


def _aligned(rows: list[list[float]], precision: int) -> list[str]:
    """Each vector as its components at `precision`, right-aligned across all rows."""
    texts = [[_fixed(v, precision) for v in row] for row in rows]
    widths = [max(len(row[k]) for row in texts) for k in range(len(texts[0]))] if texts else []
    return ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in texts]


def _fixed(value: float, precision: int) -> str:
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
    rows = [
        ("sizes", f"{sizes}  (I → H{' → O' if facts['output_activation'] else ''})"),
        ("activation", facts["activation"]),
        ("output", facts["output_activation"] or "none: o_t = h_t"),
        ("biases", _BIAS_WORDS[facts["bias"]]),
        ("parameters", f"{facts['parameters']:,}"),
        ("h0", "zeros" if not any(facts["h0"]) else ", ".join(map(str, facts["h0"]))),
        ("spectral radius", f"{facts['spectral_radius']:.6g}  of W_hh"),
        ("", facts["spectral_radius_note"]),
    ]
    for fact, value in rows:
        table.add_row(fact, Text(value))
    return table


_BIAS_WORDS = {"two": "two: b_xh and b_hh", "one": "one: b_h", "none": "none"}
