"""`-f latex`: booktabs tabulars for the tables and the explain view's hand-worked step
as an align* environment; it compiles as it is in a document with
\\usepackage{booktabs,amsmath} (pdflatex, plain ASCII out)."""

from __future__ import annotations

from rnncli.views.document_tables import ELIDED, PlainTable
from rnncli.views.hand_step import HandStep, factor, products
from rnncli.views.table_text import fixed

#: LaTeX's special characters in text, and the few non-ASCII ones the views use.
_TEXT = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "$": r"\$",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "→": r"$\to$",
    "·": r"$\cdot$",
    "×": r"$\times$",
    "…": r"\dots{}",
    "–": "--",
    ELIDED: r"$\vdots$",
    "|": r"\textbar{}",
    "<": r"\textless{}",  # in the default (OT1) fonts a bare < and > print as ¡ and ¿
    ">": r"\textgreater{}",
    "≤": r"$\leq$",
    "≥": r"$\geq$",
    "‖": r"$\|$",
    "∂": r"$\partial$",
    "₂": r"$_2$",
    "σ": r"$\sigma$",
    "⊙": r"$\odot$",
    "±": r"$\pm$",
}

#: The product sign in written-out sums.
TIMES = r"\cdot"


def escaped(text: str) -> str:
    """`text` as LaTeX text: every special character escaped, and no hyphens run into a
    dash (`--standardize` stays two hyphens, not an en dash)."""
    return "".join(
        "-{}" if char == "-" and text[i + 1 : i + 2] == "-" else _TEXT.get(char, char)
        for i, char in enumerate(text)
    )


def tabular(table: PlainTable) -> str:
    """The table as a booktabs tabular: a left-aligned label column, numbers right (text
    left); the title above it and the notes under it as paragraphs."""
    columns = "l" + ("r" if table.numbers else "l") * (len(table.header) - 1)
    lines = []
    if table.title:
        lines.append(r"\noindent\textbf{" + escaped(table.title) + r"}\par\smallskip")
    lines += [
        r"\begin{tabular}{" + columns + "}",
        r"\toprule",
        " & ".join(escaped(head) for head in table.header) + r" \\",
        r"\midrule",
    ]
    lines += [" & ".join(escaped(cell) for cell in row) + r" \\" for row in table.rows]
    lines += [r"\bottomrule", r"\end{tabular}"]
    lines += [r"\par\noindent " + escaped(note) for note in table.notes]
    return "\n".join(lines) + "\n\n"


def hand_step_align(step: HandStep, precision: int) -> str:
    """Step t unit by unit as an align* environment: each row of W_xh times x_t and of
    W_hh times h_{t-1}, their sum with the biases, and f of it."""
    t, p = step.t, precision
    f = r"\tanh" if step.f == "tanh" else r"\operatorname{" + escaped(step.f) + "}"
    rows = [
        rf"z_{{{t}}} &= W_{{xh}} x_{{{t}}} + b_{{xh}} + W_{{hh}} h_{{{t - 1}}} + b_{{hh}}",
    ]
    for i, unit in enumerate(step.units, start=1):
        terms = " + ".join(
            factor(v, p) for v in (unit.W_xh_x, unit.b_xh, unit.W_hh_h_prev, unit.b_hh)
        )
        rows += [
            rf"(W_{{xh}} x_{{{t}}})_{{{i}}} &= {products(unit.x_products, p, TIMES)}"
            rf" = {fixed(unit.W_xh_x, p)}",
            rf"(W_{{hh}} h_{{{t - 1}}})_{{{i}}} &= {products(unit.h_products, p, TIMES)}"
            rf" = {fixed(unit.W_hh_h_prev, p)}",
            rf"z_{{{t},{i}}} &= {terms} = {fixed(unit.z, p)}",
            rf"h_{{{t},{i}}} &= {f}({fixed(unit.z, p)}) = {fixed(unit.h, p)}",
        ]
    hidden = ", ".join(fixed(u.W_xh_x_b_xh, p) for u in step.units)
    rows.append(rf"W_{{xh}} x_{{{t}}} + b_{{xh}} &= ({hidden})")
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n\n"
