"""`rnncli backward` as views for notes and slides: markdown and latex tables of the
steps (or, without targets, of the gradient flow) at the table's precision; html and
svg as the table for people."""

from __future__ import annotations

from typing import TextIO

from rnncli.option_values import OutputFormat
from rnncli.views.backward.report import BackwardReport
from rnncli.views.backward.writer import columns, flow_rows, step_objects
from rnncli.views.document_tables import PlainTable
from rnncli.views.table_text import fixed


def write_backward_document(
    report: BackwardReport, output_format: OutputFormat, out: TextIO, precision: int
) -> None:
    """The report in `output_format` (markdown, latex, html or svg)."""
    if output_format in (OutputFormat.HTML, OutputFormat.SVG):
        from rnncli.views.backward.table import backward_view
        from rnncli.views.page import image_svg, page_html

        export = page_html if output_format is OutputFormat.HTML else image_svg
        out.write(export(backward_view(report, precision), "rnncli backward"))
        return
    table = backward_table(report, precision)
    if output_format is OutputFormat.LATEX:
        from rnncli.views.latex import tabular

        out.write(tabular(table))
    else:
        from rnncli.views.markdown import pipe_table

        out.write(pipe_table(table))


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
