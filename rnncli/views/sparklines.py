"""Sparklines: the course of one unit over time in a line of block characters, and one
line per hidden unit and output under the forward table."""

from __future__ import annotations

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table

from rnncli.cells.activations import FloatArray
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network

BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: FloatArray, width: int = 48, flat_below: float = 0.0) -> str:
    """`values` as at most `width` blocks, low to high between their own min and max;
    flat (all one block) where they vary by `flat_below` or less.

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
        elif span <= flat_below:
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


def unit_sparklines(result: Forward, net: Network, precision: int = 4) -> UnitSparklines:
    """One line per hidden unit (an LSTM's c too, and per output): its name, its course
    over the steps and the range of the values drawn."""
    series = [(f"h{k + 1}", result.H[:, k]) for k in range(net.state_size)]
    if result.C is not None:  # an LSTM's cell state, unit by unit
        series += [(f"c{k + 1}", result.C[:, k]) for k in range(result.C.shape[1])]
    if net.has_output_layer and len(result.O) > 1:
        series += [(f"o{k + 1}", result.O[:, k]) for k in range(net.output_size)]
    return UnitSparklines(series, precision)


#: The most blocks a sparkline has, and the fewest it keeps on a narrow screen.
WIDEST, NARROWEST = 48, 8


class UnitSparklines:
    """Sparklines as wide as the screen leaves room for (at most WIDEST blocks). A unit
    that varies by less than the table's last decimal shows is drawn flat, and says so:
    full-height bars would make noise below the precision look like a swing."""

    def __init__(self, series: list[tuple[str, FloatArray]], precision: int) -> None:
        self.series, self.precision = series, precision

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        flat_below = 10.0**-self.precision
        shown = f"1e-{self.precision}" if self.precision else "1"
        spans = {}
        for name, values in self.series:
            sampled = sample(values)
            finite = sampled[np.isfinite(sampled)]
            if not len(finite):
                spans[name] = "not finite"
                continue
            low, high = float(finite.min()), float(finite.max())
            spans[name] = f"{low:.3g} … {high:.3g}"
            if 0 < high - low <= flat_below:
                spans[name] += f" (flat: varies by less than {shown})"
        names = max((len(name) for name, _ in self.series), default=0)
        ranges = max((len(span) for span in spans.values()), default=0)
        width = max(NARROWEST, min(WIDEST, options.max_width - names - ranges - 4))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold cyan")
        grid.add_column(no_wrap=True)
        grid.add_column(style="dim")
        for name, values in self.series:
            line = sparkline(sample(values, WIDEST), width, flat_below)
            grid.add_row(name, line, spans[name])
        yield grid
