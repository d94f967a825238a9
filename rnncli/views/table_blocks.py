"""Wide tables on a narrow screen: a table's units split into blocks that each fit the
width, so that no number is ever cut.

A table here is a label column on the left (t, or the explain view's term) and then
column groups (x_t, h_t, c_t, o_t, or one column per unit), each group holding some
units. In rich's box a column of content width w takes w + 3 characters (a space
either side and its right border) and the table one more (its left border).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import NamedTuple

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text


class Unit(NamedTuple):
    """One unit of a column group: the group it is in, the width of its values, and the
    width of its group's header."""

    group: Hashable
    width: int
    head: int


def blocks(label_width: int, units: Sequence[Unit], max_width: int) -> list[range]:
    """`units` (in column order) cut into consecutive blocks, each the widest that fits
    `max_width` beside the label column; a unit wider than the screen is a block alone."""
    start_width = 1 + label_width + 3  # the left border and the label column
    spans: list[range] = []
    start, used = 0, start_width
    content: dict[Hashable, int] = {}  # group -> its column's content width in this block
    for k, unit in enumerate(units):
        # A group's column is its units joined by two spaces, at least its header wide,
        # and 3 more: a space either side and its border.
        if unit.group in content:
            grown = content[unit.group] + 2 + unit.width
            cost = max(grown, unit.head) - max(content[unit.group], unit.head)
        else:
            grown, cost = unit.width, max(unit.width, unit.head) + 3
        if k > start and used + cost > max_width:
            spans.append(range(start, k))
            start, used, content = k, start_width, {}
            grown, cost = unit.width, max(unit.width, unit.head) + 3
        content[unit.group] = grown
        used += cost
    spans.append(range(start, len(units)))
    return spans


class UnitColumns:
    """A table of labelled rows with one column per unit (the explain view's): as one
    table where it fits the width, else in blocks of units, each titled with its units
    and every block holding the label column."""

    def __init__(
        self,
        title: str | None,
        label: str,
        header: str,
        rows: list[tuple[Text, list[str]]],
    ) -> None:
        self.title, self.label, self.header, self.rows = title, label, header, rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        n = len(self.rows[0][1]) if self.rows else 0
        heads = [f"{self.header} {unit + 1}" for unit in range(n)]
        widths = [
            max([len(heads[u]), *(len(texts[u]) for _, texts in self.rows)]) for u in range(n)
        ]
        label_width = max([len(self.label), *(len(name) for name, _ in self.rows)])
        units = [Unit(u, widths[u], widths[u]) for u in range(n)]
        spans = blocks(label_width, units, options.max_width)
        for span in spans:
            title = self.title
            if title is not None and len(spans) > 1:
                title += f" ({self.header}s {span.start + 1}–{span.stop})"
            table = Table(
                title=None if title is None else Text(title),
                title_justify="left",
                header_style="bold cyan",
            )
            table.add_column(self.label)
            for unit in span:
                table.add_column(heads[unit], justify="right", no_wrap=True)
            for name, texts in self.rows:
                table.add_row(name, *(Text(texts[unit]) for unit in span))
            yield table
