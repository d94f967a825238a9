"""The forward pass as documents for notes and slides: `-f markdown` and `latex`, a run
at a time (html and svg are the table's page: rnncli.views.formats). Long runs keep
their first and last rows unless `elide` is off (--all)."""

from __future__ import annotations

from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.views.document_tables import explain_tables, forward_table, sparkline_rows
from rnncli.views.explain_table import WRITTEN_OUT_MAX_INPUTS, WRITTEN_OUT_MAX_UNITS
from rnncli.views.hand_step import hand_step
from rnncli.views.table_text import ViewParts, shown_steps, title


def markdown_run(run: Run, net: Network, precision: int, elide: bool, parts: ViewParts) -> str:
    """One run as Markdown: its pipe table, or each step's explain tables and a step by
    hand."""
    from rnncli.views.markdown import hand_step_math, pipe_table, sparkline_list

    result, heading = run.result, _heading(run, net, parts)
    if run.explained is None:
        text = pipe_table(forward_table(result, net, precision, elide, heading))
        if parts.sparklines:
            text += "\n" + sparkline_list(sparkline_rows(result, net, precision))
        return text + "\n"
    text = f"**{heading}**\n\n" if heading else ""
    for k in shown_steps(len(result.X), elide):
        if k is None:
            text += "⋮ steps hidden; --all shows every step\n\n"
            continue
        tables = explain_tables(result, net, run.explained, precision, k)
        text += "\n".join(pipe_table(table) for table in tables) + "\n"
    if _written_out(net) and net.gates:  # the table's lines, gate by gate, as they are
        lines = _gated_hand_step(run, net, precision, parts.hand_step)
        text += "```text\n" + "\n".join(lines) + "\n```\n"
    elif _written_out(net):
        step = hand_step(net, result, run.explained, parts.hand_step)
        text += hand_step_math(step, precision) + "\n"
    return text


def latex_run(run: Run, net: Network, precision: int, elide: bool, parts: ViewParts) -> str:
    """One run as LaTeX: its tabular, or each step's explain tabulars and a step by hand."""
    from rnncli.views.latex import escaped, hand_step_align, tabular

    result, heading = run.result, _heading(run, net, parts)
    if run.explained is None:
        return tabular(forward_table(result, net, precision, elide, heading))
    text = r"\noindent\textbf{" + escaped(heading) + "}\\par\\medskip\n\n" if heading else ""
    for k in shown_steps(len(result.X), elide):
        if k is None:
            text += "\\noindent$\\vdots$ steps hidden\\par\\medskip\n\n"
            continue
        for table in explain_tables(result, net, run.explained, precision, k):
            text += tabular(table) + "\\medskip\n\n"
    if _written_out(net) and net.gates:  # the table's lines, gate by gate, as text
        lines = _gated_hand_step(run, net, precision, parts.hand_step)
        text += "".join(r"\noindent " + escaped(line.strip()) + "\\par\n" for line in lines)
        text += "\\medskip\n\n"
    elif _written_out(net):
        text += hand_step_align(hand_step(net, result, run.explained, parts.hand_step), precision)
    return text


def _gated_hand_step(run: Run, net: Network, precision: int, t: int) -> list[str]:
    """An LSTM's or a GRU's step t by hand, the lines the explain table writes."""
    from rnncli.views.explain_table import first_step_by_hand
    from rnncli.views.explained_terms import view_terms

    assert run.explained is not None
    terms = view_terms(run.explained)
    return first_step_by_hand(run.result, net, precision, terms, t).plain.splitlines()


def _heading(run: Run, net: Network, parts: ViewParts) -> str | None:
    return title(net, run.result, run.id) if parts.title else None


def _written_out(net: Network) -> bool:
    """Whether a step is written out by hand: for up to 8 inputs and 8 hidden units."""
    return net.input_size <= WRITTEN_OUT_MAX_INPUTS and net.hidden_size <= WRITTEN_OUT_MAX_UNITS
