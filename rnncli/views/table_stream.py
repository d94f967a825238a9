"""The forward table written as its rows are made, for a pipe or a file: a run that
streams (see pipelines.forward.streams) is written piece by piece in the lines rich
would draw, so `| head` stops it at once and a long file is written in seconds.

The first piece is held until the second comes or the run ends. A run of one piece is
laid out from all its rows, as rich lays out the whole table. A longer run is laid out
from its first piece: t gets room for 7 digits, the columns of a tanh or sigmoid state
room for saturation marks, and a later value wider than its column widens its row
(never cut).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.column_choice import Kept
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.printable import printable
from rnncli.views.sparklines import WIDEST, UnitSparklines, unit_sparklines
from rnncli.views.table_text import SATURATED, fixed, saturation_notes, title


class TableStream:
    """Write `-f table` rows as the pieces of a run come: piece(), then end()."""

    def __init__(self, net: Network, precision: int, out: TextIO) -> None:
        self.net, self.precision, self.out = net, precision, out
        self.held: Forward | None = None  # the first piece, until the layout is known
        self.widths: list[list[int]] = []  # the layout: t's width, then each group's
        self.marks = False  # whether the state's columns carry saturation marks
        self.saturated = False  # whether any state was marked
        self.steps = 0  # the steps written
        self.kept: list[tuple[int, FloatArray]] = []  # (step, h and o) every `stride` steps
        self.stride = 1
        self.last: FloatArray | None = None
        self.whole: Forward | None = None  # a run of one piece, for its sparklines
        self.hang = False  # rows end in their mark's place (see render._hang_marks)
        self.columns: list[int] = []  # each column's content width
        self.label_widths: list[int] = []
        self.table_width = 0
        self.largest_x = 0.0  # the largest |x_t| so far, for the saturation note
        self.x_name = "x_t"  # with the features' names where the input has a header
        self.labels: tuple[str, ...] = ()  # the kept columns (--keep), after t
        self.held_kept: Kept | None = None

    def piece(self, run: Run) -> None:
        """One piece of the run: its result, and its kept cells (names from the first)."""
        result = run.result
        self.largest_x = max(self.largest_x, float(np.abs(result.X).max(initial=0.0)))
        if self.held is None and not self.widths:
            if run.input_names is not None:
                self.x_name = f"x_t: {', '.join(map(printable, run.input_names))}"
            self.labels = () if run.kept is None else tuple(map(printable, run.kept.names))
            self.held, self.held_kept = result, run.kept
            return
        if self.held is not None:
            self._lay_out(self.held, self.held_kept, alone=False)
            self._rows(self.held, self.held_kept)
            self.held = None
        self._rows(result, run.kept)

    def end(self) -> None:
        if self.held is not None:  # a run of one piece
            self._lay_out(self.held, self.held_kept, alone=True)
            self._rows(self.held, self.held_kept)
            self.whole = self.held
        self._close()

    def _saturated(self) -> tuple[str, Callable[[Any], Any]] | None:
        """The saturation rule of the state's activation: for the rnn cell only (an
        LSTM's or GRU's h_t is not f(z_t))."""
        return SATURATED.get(self.net.activation.name) if self.net.cell_kind == "rnn" else None

    def _groups(self, result: Forward) -> list[tuple[str, FloatArray]]:
        groups = [(self.x_name, result.X), ("h_t", result.H)]
        if result.C is not None:  # an LSTM's cell state
            groups.append(("c_t", result.C))
        if self.net.has_output_layer:
            groups.append(("o_t", result.O))
        return groups

    def _lay_out(self, result: Forward, kept: Kept | None, alone: bool) -> None:
        """Column widths from the first piece; with room to grow unless it is `alone`."""
        saturated = self._saturated()
        any_marked = saturated is not None and bool(saturated[1](result.H).any())
        self.marks = any_marked or (saturated is not None and not alone)
        self.hang = not alone
        T = len(result.X)
        self.widths = [[max(len("t"), len(str(T)) if alone else 7)]]
        for _, values in self._groups(result):
            texts = self._texts(values)
            self.widths.append([max(len(row[u]) for row in texts) for u in range(len(texts[0]))])
        if alone and any_marked and saturated is not None:
            self.hang = bool(saturated[1](result.H[:, -1]).any())
        group_heads = [name for name, _ in self._groups(result)]
        label_rows = [] if kept is None else [tuple(map(printable, row)) for row in kept.rows]
        self.label_widths = [
            max([len(name), *(len(row[j]) for row in label_rows)])
            for j, name in enumerate(self.labels)
        ]
        heads = ["t", *self.labels, *group_heads]
        self.columns = [self.widths[0][0], *self.label_widths] + [
            max(len(head), self._content(n)) for n, head in enumerate(group_heads, 1)
        ]
        table_width = 1 + sum(width + 3 for width in self.columns)
        self.table_width = table_width
        justified = [
            h.ljust(w) if 0 < n <= len(self.labels) else h.rjust(w)
            for n, (h, w) in enumerate(zip(heads, self.columns, strict=True))
        ]
        lines = [
            title(self.net, result).ljust(table_width),
            "┏" + "┳".join("━" * (w + 2) for w in self.columns) + "┓",
            "┃" + "┃".join(f" {h} " for h in justified) + "┃",
            "┡" + "╇".join("━" * (w + 2) for w in self.columns) + "┩",
        ]
        self.out.write("\n".join(lines) + "\n")

    def _content(self, n: int) -> int:
        """The width of group n's cells: its values two spaces apart, each with its mark."""
        mark = 1 if self.marks and n == 2 else 0
        return sum(self.widths[n]) + len(self.widths[n]) * mark + 2 * (len(self.widths[n]) - 1)

    def _texts(self, values: FloatArray) -> list[list[str]]:
        return [[fixed(v, self.precision) for v in row] for row in values.tolist()]

    def _rows(self, result: Forward, kept: Kept | None) -> None:
        saturated = self._saturated()
        marked = saturated[1](result.H) if saturated is not None and self.marks else None
        if marked is not None and marked.any():
            self.saturated = True
        groups = [self._texts(values) for _, values in self._groups(result)]
        lines = []
        for k in range(len(result.X)):
            cells = [str(self.steps + k + 1).rjust(self.columns[0])]
            for j, width in enumerate(self.label_widths):
                text = kept.rows[k][j] if kept and k < len(kept.rows) else ""
                cells.append(printable(text).ljust(width))
            for n, texts in enumerate(groups, 1):
                parts = []
                for u, text in enumerate(texts[k]):
                    text = text.rjust(self.widths[n][u])
                    if n == 2 and marked is not None:
                        text += "*" if marked[k, u] else " "
                    parts.append(text)
                cell = "  ".join(parts)
                cell = cell if self.hang else cell.rstrip()
                cells.append(cell.rjust(self.columns[len(self.labels) + n]))
            lines.append("│" + "│".join(f" {cell} " for cell in cells) + "│\n")
        self.out.write("".join(lines))
        self._keep(result)
        self.steps += len(result.X)

    def _keep(self, result: Forward) -> None:
        """Keep h_t and o_t every `stride` steps, doubling the stride when too many are
        kept: evenly spaced steps for the sparklines, in memory that does not grow."""
        both = np.hstack([result.H, result.O]) if self.net.has_output_layer else result.H
        k = -self.steps % self.stride  # the piece's first step on the stride
        while k < len(both):
            self.kept.append((self.steps + k, both[k].copy()))
            if len(self.kept) > 2 * WIDEST:
                self.kept = self.kept[::2]  # kept from step 0: every other is on 2 strides
                self.stride *= 2
            k += self.stride - (self.steps + k) % self.stride
        self.last = both[-1].copy() if len(both) else self.last

    def _close(self) -> None:
        if not self.widths:
            return
        notes = [] if self.net.has_output_layer else ["no output layer: o_t = h_t"]
        saturated = self._saturated()
        if self.saturated and saturated is not None:
            notes += saturation_notes(saturated[0], self.largest_x)
        lines = ["└" + "┴".join("─" * (w + 2) for w in self.columns) + "┘"]
        # Wrapped at the table's width, as rich wraps a caption.
        lines += [
            line.ljust(self.table_width)
            for note in notes
            for line in textwrap.wrap(note, self.table_width, break_on_hyphens=False)
        ]
        self.out.write("\n".join(lines) + "\n")
        from rich.console import Console

        console = Console(file=self.out, width=100_000)
        if self.whole is not None:
            console.print(unit_sparklines(self.whole, self.net, self.precision))
            return
        rows = [row for step, row in self.kept if step < self.steps - 1]
        if self.last is not None:
            rows.append(self.last)
        if not rows:
            return
        kept = np.vstack(rows)
        H = self.net.state_size
        series = [(f"h{u + 1}", kept[:, u]) for u in range(H)]
        if self.net.has_output_layer and self.steps > 1:
            series += [(f"o{u + 1}", kept[:, H + u]) for u in range(self.net.output_size)]
        console.print(UnitSparklines(series, self.precision))
