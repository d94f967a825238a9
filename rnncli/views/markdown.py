"""`-f markdown`: GitHub-flavoured pipe tables, aligned, ready to paste into notes; the
explain view's hand-worked step in Markdown math ($...$)."""

from __future__ import annotations

from collections.abc import Iterable

from rnncli.views.document_tables import PlainTable
from rnncli.views.hand_step import HandStep, factor, products
from rnncli.views.table_text import fixed

#: The product sign in written-out sums.
TIMES = r"\cdot"


def pipe_table(table: PlainTable) -> str:
    """The table with every column padded to its widest cell: the label column left-,
    the numbers right-aligned (`---:`; text columns left). A `|` inside a cell is escaped."""
    header = [_cell(text) for text in table.header]
    rows = [[_cell(text) for text in row] for row in table.rows]
    widths = [max(3, *(len(row[n]) for row in [header, *rows])) for n in range(len(header))]
    right = [n > 0 and table.numbers for n in range(len(widths))]

    def line(cells: Iterable[str]) -> str:
        padded = [c.rjust(w) if r else c.ljust(w)
                  for c, w, r in zip(cells, widths, right, strict=True)]  # fmt: skip
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(("-" * (w - 1) + ":" if r else "-" * w)
                             for w, r in zip(widths, right, strict=True)) + " |"  # fmt: skip
    parts = []
    if table.title:
        parts.append(f"**{_inline(table.title)}**\n")
    parts += [line(header), rule, *(line(row) for row in rows)]
    if table.notes:
        parts.append("")
        parts += [_inline(note) + "  " for note in table.notes]
    return "\n".join(parts) + "\n"


def sparkline_list(lines: list[tuple[str, str, str]]) -> str:
    """One list item per unit: its name, its course over time and its range."""
    return "".join(f"- {name} `{blocks}` {span}\n" for name, blocks, span in lines)


def hand_step_math(step: HandStep, precision: int) -> str:
    """Step t written out unit by unit in Markdown math, then the vectors it makes."""
    t, p = step.t, precision
    lines = [f"Step t = {step.t} by hand, one row of each matrix at a time:", ""]
    f = "\\tanh" if step.f == "tanh" else f"\\operatorname{{{step.f}}}"
    for i, unit in enumerate(step.units, start=1):
        x_sum = products(unit.x_products, p, TIMES)
        h_sum = products(unit.h_products, p, TIMES)
        summed = (unit.W_xh_x, unit.b_xh, unit.W_hh_h_prev, unit.b_hh)
        terms = " + ".join(factor(v, p) for v in summed)
        lines.append(
            f"- unit {i}: $(W_{{xh}} x_{{{t}}})_{{{i}}} = {x_sum} = {fixed(unit.W_xh_x, p)}$, "
            f"$(W_{{hh}} h_{{{t - 1}}})_{{{i}}} = {h_sum} = {fixed(unit.W_hh_h_prev, p)}$, "
            f"$z_{{{t},{i}}} = {terms} = {fixed(unit.z, p)}$, "
            f"$h_{{{t},{i}}} = {f}({fixed(unit.z, p)}) = {fixed(unit.h, p)}$"
        )
    hidden = ", ".join(fixed(u.W_xh_x_b_xh, p) for u in step.units)
    z = ", ".join(fixed(u.z, p) for u in step.units)
    h = ", ".join(fixed(u.h, p) for u in step.units)
    lines += [
        "",
        f"$W_{{xh}} x_{{{t}}} + b_{{xh}} = ({hidden})$  ",
        f"$z_{{{t}}} = W_{{xh}} x_{{{t}}} + b_{{xh}} + W_{{hh}} h_{{{t - 1}}} + b_{{hh}}"
        f" = ({z})$  ",
        f"$h_{{{t}}} = ({h})$",
    ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    """Text outside math with its saturation marks escaped (GitHub leaves h_{t-1} and
    W_xh alone: an underscore inside a word is no emphasis)."""
    return text.replace("*", "\\*")
