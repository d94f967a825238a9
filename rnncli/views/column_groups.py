"""The forward table laid out for the screen: its column groups (x_t, h_t, c_t, o_t),
their cells coloured by sign and size, and the table of them, one where it fits the
width, else the units of its groups in blocks, each headed with its unit numbers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from rnncli.views.table_blocks import Unit, blocks

#: Diverging heat colours, mid-tones readable on dark and light terminals alike:
#: negatives in blues, positives in reds, stronger with |value| / scale.
_NEGATIVE = ("steel_blue", "dodger_blue2", "blue1")
_POSITIVE = ("light_salmon3", "dark_orange3", "red3")


class ColumnGroup(NamedTuple):
    """One column group of the table (x_t, h_t, o_t, ...): its values at the steps that
    have them, as text at the table's precision, coloured by |value| / scale."""

    name: str
    values: dict[int, list[float]]  # step index -> the group's values at that step
    texts: dict[int, list[str]]
    size: int
    scale: float
    marks: tuple[str, Callable[[float], bool]] | None

    def widths(self, numbered: bool = False) -> list[int]:
        """The width of each unit's values (and of its number, when `numbered`)."""
        return [
            max([len(str(u + 1)) if numbered else 0, *(len(t[u]) for t in self.texts.values())])
            for u in range(self.size)
        ]

    def cell(self, k: int, units: Sequence[int], widths: list[int]) -> Text:
        """Step k's values of `units`, right-aligned to `widths`, two spaces apart."""
        cell = Text()
        if k not in self.texts:
            return cell
        for n, u in enumerate(units):
            if n:
                cell.append("  ")
            value = self.values[k][u]
            cell.append(self.texts[k][u].rjust(widths[u]), style=_heat(value, self.scale))
            if self.marks is not None:
                cell.append("*" if self.marks[1](value) else " ", style="bold")
        return cell

    def header(self, units: Sequence[int], widths: list[int]) -> Text:
        """The group's name over the numbers of `units`, each over its column of values."""
        mark = " " if self.marks is not None else ""
        numbers = "  ".join(str(u + 1).rjust(widths[u]) + mark for u in units)
        return Text(f"{self.name}\n{numbers}")


class ForwardTable:
    """The forward table, as wide as the screen allows: one table where it fits, else
    the units of its column groups in blocks, each headed with its unit numbers."""

    def __init__(
        self,
        title: str,
        groups: list[ColumnGroup],
        rows: list[int | None],
        notes: list[str],
        first_t: int = 1,
        labels: Sequence[tuple[str, Mapping[int, str]]] = (),
    ) -> None:
        self.title, self.groups, self.rows, self.notes = title, groups, rows, notes
        self.first_t = first_t  # row k is step t = k + first_t
        self.labels = labels  # text columns after t (--keep): name, step index -> text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        last = max((k for k in self.rows if k is not None), default=0)
        label_width = len(str(last + self.first_t))  # t, and the kept columns beside it
        for name, texts in self.labels:
            label_width += 3 + max([len(name), *(len(text) for text in texts.values())])
        whole = {n: range(group.size) for n, group in enumerate(self.groups)}
        if len(blocks(label_width, self._units(False), options.max_width)) == 1:
            yield self._table(whole, numbered=False)
            return
        units = self._units(True)
        owners = [(n, u) for n, group in enumerate(self.groups) for u in range(group.size)]
        if self.title:
            yield Text(self.title)
        for span in blocks(label_width, units, options.max_width):
            picked: dict[int, list[int]] = {}
            for n, u in (owners[i] for i in span):
                picked.setdefault(n, []).append(u)
            yield self._table(picked, numbered=True)
        if self.notes:
            yield Text("\n".join(self.notes))

    def _units(self, numbered: bool) -> list[Unit]:
        return [
            Unit(n, width + (1 if group.marks else 0), len(group.name))
            for n, group in enumerate(self.groups)
            for width in group.widths(numbered)
        ]

    def _table(self, picked: Mapping[int, Sequence[int]], numbered: bool) -> Table:
        """The table of the units `picked` of each group (group index -> units); the
        title and notes are its own unless `numbered` (a block of a wider table)."""
        table = Table(
            title=None if numbered or not self.title else Text(self.title),
            title_justify="left",
            header_style="bold cyan",
        )
        table.add_column("t", justify="right", style="dim")
        columns: list[list[Text]] = [
            [Text("⋮" if k is None else str(k + self.first_t)) for k in self.rows]
        ]
        for name, texts in self.labels:
            table.add_column(Text(name), no_wrap=True)  # Text: a name is never markup
            columns.append([Text("⋮" if k is None else texts.get(k, "")) for k in self.rows])
        for n, units in picked.items():
            group, widths = self.groups[n], self.groups[n].widths(numbered)
            header = group.header(units, widths) if numbered else Text(group.name)
            column = [
                Text("⋮", style="dim") if k is None else group.cell(k, units, widths)
                for k in self.rows
            ]
            if any(cell.plain.endswith("*") for cell in column):
                _hang_marks(header, column)
            table.add_column(header, justify="right", no_wrap=True)
            columns.append(column)
        columns[0] = [Text(c.plain, style="dim") if c.plain == "⋮" else c for c in columns[0]]
        for row in zip(*columns, strict=True):
            table.add_row(*row)
        if self.notes and not numbered:
            table.caption = Text("\n".join(self.notes))
            table.caption_justify = "left"
        return table


def _hang_marks(header: Text, column: list[Text]) -> None:
    """Align a column whose rows end in a saturation mark or in its blank: rich cuts the
    trailing blank off a right-aligned cell, which would shift every row ending in an
    unmarked unit one place right of a row ending in `*`. So the cells are padded to the
    column's width here and laid out from the left, where a cut blank changes nothing."""
    lines = header.plain.split("\n")
    width = max(len(line) for line in [*lines, *(cell.plain for cell in column)])
    header.plain = "\n".join(line.rjust(width) for line in lines)
    header.justify = "left"
    for cell in column:
        if cell.plain != "⋮":
            cell.pad_left(width - len(cell.plain))
            cell.justify = "left"


def _heat(value: float, scale: float) -> str:
    if not np.isfinite(value) or value == 0:
        return ""
    level = min(int(abs(value) / scale * len(_POSITIVE)), len(_POSITIVE) - 1)
    return (_POSITIVE if value > 0 else _NEGATIVE)[level]
