"""Sparklines: the course of one unit over time in a line of block characters, and one
line per hidden unit and output under the forward table."""

from __future__ import annotations

import numpy as np
from rich.table import Table

from rnncli.activations import FloatArray
from rnncli.forward import Forward
from rnncli.network import Network

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: FloatArray, width: int = 48) -> str:
    """`values` as at most `width` blocks, low to high between their own min and max.

    A long series is sampled at `width` evenly spaced steps (first and last included),
    so the work does not grow with its length. A non-finite value is a blank.
    """
    if len(values) == 0:
        return ""
    values = sample(values, width)
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return " " * len(values)
    low, high = float(finite.min()), float(finite.max())
    span = high - low
    chars = []
    for value in values.tolist():
        if not np.isfinite(value):
            chars.append(" ")
        elif span == 0:
            chars.append(BLOCKS[len(BLOCKS) // 2 - 1])
        else:
            chars.append(BLOCKS[min(int((value - low) / span * len(BLOCKS)), len(BLOCKS) - 1)])
    return "".join(chars)


def sample(values: FloatArray, width: int = 48) -> FloatArray:
    """At most `width` values, evenly spaced over `values`, the first and last included."""
    if len(values) <= width:
        return values
    sampled: FloatArray = values[np.linspace(0, len(values) - 1, width).round().astype(int)]
    return sampled


def unit_sparklines(result: Forward, net: Network) -> Table:
    """One line per hidden unit (and per output): its name, its course over the steps and
    the range of the values drawn."""
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
