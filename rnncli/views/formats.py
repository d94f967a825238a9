"""`-f`: every output format by its name, and how it writes what each command shows.

The one place a format's name becomes its writer: `FORMATS[chosen]` (after `auto` is
resolved) is a `Format`, whose `forward`, `backward` and `inspect` write that command's
result to `out`. Each command's option lists the formats it offers (inspect: table,
json, markdown, latex and html). A format's writing modules are imported when it
writes, so a csv run never loads rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from rnncli.option_values import OutputFormat

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from rnncli.core.network import Network
    from rnncli.core.sequence_run import Run
    from rnncli.views.backward.report import BackwardReport
    from rnncli.views.table_text import ViewParts

#: Decimals in the views for people when -p is not given.
TABLE_PRECISION = 4


class Shown(NamedTuple):
    """How a result is shown, beside its format."""

    precision: int | None = None  # -p; None: exact for programs, TABLE_PRECISION for people
    header: bool = True  # csv and tsv: the header row (a stream's first piece only)
    batched: bool = False  # a batch: each sequence named
    all_rows: bool = False  # --all: no long run elided in a view for people
    to_terminal: bool = False  # the table fits the terminal, long runs keep their ends
    parts: ViewParts | None = None  # what a view holds beside its numbers (None: all)

    @property
    def decimals(self) -> int:
        """The decimals of a view for people."""
        return TABLE_PRECISION if self.precision is None else self.precision

    def view_parts(self) -> ViewParts:
        from rnncli.views.table_text import ViewParts

        return ViewParts() if self.parts is None else self.parts


class Format:
    """One format: how it writes forward's runs, backward's report and inspect's facts."""

    #: A view for people (the table, a document): numbers at `Shown.decimals`, and an
    #: explained run's step written out by hand. The rest are exact unless -p is given.
    for_people = False

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        raise NotImplementedError

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        raise NotImplementedError

    def inspect(self, facts: dict[str, Any], out: TextIO) -> None:
        raise NotImplementedError(f"{type(self).__name__} is not a format of inspect")


def _exact(runs: list[Run], shown: Shown) -> list[Run]:
    """The runs for a machine format: exact, or rounded where -p is given."""
    if shown.precision is None:
        return runs
    from rnncli.views.run_views import rounded_run

    return [rounded_run(run, shown.precision) for run in runs]


class _Delimited(Format):
    """csv and tsv: one row per step, a header first."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.delimited import write_delimited

        runs = _exact(runs, shown)
        write_delimited(runs, net, out, self.delimiter, shown.header, shown.batched)

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.writer import write_backward_delimited

        write_backward_delimited(report, out, self.delimiter, shown.header)


class _Json(Format):
    """json: one document."""

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.json import write_json

        write_json(_exact(runs, shown), net, out, shown.batched)

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.writer import write_backward_json

        write_backward_json(report, out)

    def inspect(self, facts: dict[str, Any], out: TextIO) -> None:
        import json

        out.write(json.dumps(facts) + "\n")


class _JsonLines(Format):
    """jsonl: one object per step."""

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.json import write_jsonl

        write_jsonl(_exact(runs, shown), out, shown.batched)

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.writer import write_backward_jsonl

        write_backward_jsonl(report, out)


def _console(out: TextIO, to_terminal: bool) -> Console:
    """On a terminal rich fits the table to the window; elsewhere nothing wraps."""
    from rich.console import Console

    return Console(file=out) if to_terminal else Console(file=out, width=100_000)


class _Table(Format):
    """table: rich's table for people."""

    for_people = True

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.table import runs_view

        elide = shown.to_terminal and not shown.all_rows
        view = runs_view(runs, net, shown.decimals, elide, shown.view_parts())
        _console(out, shown.to_terminal).print(view)

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.table import backward_view

        _console(out, shown.to_terminal).print(backward_view(report, shown.decimals))

    def inspect(self, facts: dict[str, Any], out: TextIO) -> None:
        from rich.console import Console

        from rnncli.views.facts_table import network_table

        Console(file=out).print(network_table(facts))


class _Markdown(Format):
    """markdown: pipe tables, for notes."""

    for_people = True

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.documents import markdown_run

        for run in runs:
            out.write(
                markdown_run(run, net, shown.decimals, not shown.all_rows, shown.view_parts())
            )

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.document import backward_table
        from rnncli.views.markdown import pipe_table

        out.write(pipe_table(backward_table(report, shown.decimals)))

    def inspect(self, facts: dict[str, Any], out: TextIO) -> None:
        from rnncli.views.facts_table import facts_table
        from rnncli.views.markdown import pipe_table

        out.write(pipe_table(facts_table(facts)))


class _Latex(Format):
    """latex: booktabs tabulars, for notes and slides."""

    for_people = True

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.documents import latex_run

        for run in runs:
            out.write(latex_run(run, net, shown.decimals, not shown.all_rows, shown.view_parts()))

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.document import backward_table
        from rnncli.views.latex import tabular

        out.write(tabular(backward_table(report, shown.decimals)))

    def inspect(self, facts: dict[str, Any], out: TextIO) -> None:
        from rnncli.views.facts_table import facts_table
        from rnncli.views.latex import tabular

        out.write(tabular(facts_table(facts)))


class _Page(Format):
    """html and svg: the table for people as a page or an image."""

    for_people = True

    def __init__(self, svg: bool) -> None:
        self.svg = svg

    def _write(self, view: RenderableType, title: str, out: TextIO) -> None:
        from rnncli.views.page import image_svg, page_html

        out.write((image_svg if self.svg else page_html)(view, title))

    def forward(self, runs: list[Run], net: Network, out: TextIO, shown: Shown) -> None:
        from rnncli.views.table import runs_view
        from rnncli.views.table_text import title

        view = runs_view(runs, net, shown.decimals, not shown.all_rows, shown.view_parts())
        self._write(view, title(net, runs[0].result) if runs else "rnncli", out)

    def backward(self, report: BackwardReport, out: TextIO, shown: Shown) -> None:
        from rnncli.views.backward.table import backward_view

        self._write(backward_view(report, shown.decimals), "rnncli backward", out)

    def inspect(self, facts: dict[str, Any], out: TextIO) -> None:
        from rnncli.views.facts_table import facts_name, network_table

        self._write(network_table(facts), facts_name(facts), out)


#: Every format by its name: the one dispatch of `-f`.
FORMATS: dict[OutputFormat, Format] = {
    OutputFormat.TABLE: _Table(),
    OutputFormat.CSV: _Delimited(","),
    OutputFormat.TSV: _Delimited("\t"),
    OutputFormat.JSON: _Json(),
    OutputFormat.JSONL: _JsonLines(),
    OutputFormat.MARKDOWN: _Markdown(),
    OutputFormat.LATEX: _Latex(),
    OutputFormat.HTML: _Page(svg=False),
    OutputFormat.SVG: _Page(svg=True),
}
