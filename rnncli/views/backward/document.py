"""`rnncli backward` as a table for notes and slides (markdown, latex): the steps (or,
without targets, the gradient flow) at the table's precision. html and svg are the
table for people as a page (rnncli.views.formats)."""

from __future__ import annotations

from rnncli.views.backward.report import BackwardReport
from rnncli.views.backward.writer import columns, flow_rows, step_objects
from rnncli.views.document_tables import PlainTable
from rnncli.views.table_text import fixed


def backward_table(report: BackwardReport, precision: int) -> PlainTable:
    """The csv's columns and rows, numbers at `precision`: the steps with their
    derivatives (with targets), else the gradient flow k = 0..T-1."""
    rows = step_objects(report) if report.has_targets else flow_rows(report)
    names = columns(rows)
    texts = []
    for row in rows:
        cells = []
        for _, (key, index) in names:
            value = row[key] if index is None or row[key] is None else row[key][index]
            if value is None:
                cells.append("")
            elif isinstance(value, int):
                cells.append(str(value))
            else:
                cells.append(_number(float(value), precision))
        texts.append(cells)
    what = "steps" if report.has_targets else "gradient flow ‖∂h_T/∂h_k‖₂"
    return PlainTable(what, [name for name, _ in names], texts, [])


def _number(value: float, precision: int) -> str:
    """Small norms (a vanishing gradient) in e-notation, where fixed decimals show 0."""
    if value != 0 and abs(value) < 10.0**-precision:
        return f"{value:.{max(precision - 1, 1)}e}"
    return fixed(value, precision)
