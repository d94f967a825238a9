"""A forward pass as csv or tsv: a header line, then one LF-ended line per step.

A non-finite value is written nan, inf or -inf.
"""

from __future__ import annotations

from typing import TextIO

import numpy as np

from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.views.column_names import input_column_names
from rnncli.views.explained_terms import GATE_COLUMN, OUTPUT_TERMS, hidden_terms, term_size
from rnncli.views.step_values import number_text, row_bodies, steps


def delimited_header(
    net: Network,
    explain: bool = False,
    input_names: tuple[str, ...] | None = None,
    kept_names: tuple[str, ...] = (),
    batched: bool = False,
) -> list[str]:
    """[seq,] t, the kept columns, x1..xI (or the header's names), h1..hH, c1..cH (an
    LSTM's), o1..oO (o columns only with an output layer), then the terms, each as its
    key numbered by unit: W_xh_x1..W_xh_xH, ..., o_pre1..o_preO; an LSTM's or GRU's
    terms are its own (explained_terms.hidden_terms), then its gates' values,
    gate_i1..gate_iH, ....

    h and c hold D*H values: both directions of a bidirectional network, forward first.
    """
    after = _numbered("h", net.state_size)
    after += _numbered("c", net.cell_state_size)
    if net.has_output_layer:
        after += _numbered("o", net.output_size)
    if explain:
        for key in hidden_terms(net):
            after += _numbered(key, term_size(net, key))
        for gate in net.gates:
            after += _numbered(GATE_COLUMN + gate, net.cell_size)
        if net.has_output_layer:
            for key in OUTPUT_TERMS:
                after += _numbered(key, net.output_size)
    before = ["seq", "t"] if batched else ["t"]
    kept, x = input_column_names(input_names, net.input_size, kept_names, {*before, *after})
    return [*before, *kept, *x, *after]


def _numbered(name: str, size: int) -> list[str]:
    return [f"{name}{i}" for i in range(1, size + 1)]


def write_delimited(
    runs: list[Run],
    net: Network,
    out: TextIO,
    delimiter: str,
    header: bool = True,
    batched: bool = False,
) -> None:
    """One LF-ended line per step; in many-to-one the o cells are empty except at t = T.
    A batch names each sequence in a "seq" column first."""
    if header:
        first = runs[0]
        kept_names = () if first.kept is None else first.kept.names
        explain = first.explained is not None
        names = delimited_header(net, explain, first.input_names, kept_names, batched)
        out.write(delimiter.join(_cell(name, delimiter) for name in names) + "\n")
    for run in runs:
        _write_rows(run, net, out, delimiter, batched)


def _write_rows(run: Run, net: Network, out: TextIO, delimiter: str, batched: bool) -> None:
    if _write_plain_rows(run, net, out, delimiter, batched):
        return
    no_output = [""] * net.output_size
    prefix = [_cell(str(run.id), delimiter)] if batched else []
    kept = _kept_cells(run, delimiter)
    keys = hidden_terms(net)
    for k, step in enumerate(steps(run.result, run.explained, run.first_t)):
        cells = [*prefix, str(step.t), *kept[k], *map(number_text, step.x)]
        cells += map(number_text, step.h)
        if step.c is not None:
            cells += map(number_text, step.c)
        if net.has_output_layer:
            cells += no_output if step.o is None else map(number_text, step.o)
        if step.terms is not None:
            for key in keys:
                cells += map(number_text, step.terms[key])
            for values in (step.gates or {}).values():
                cells += map(number_text, values)
            if net.has_output_layer:
                for key in OUTPUT_TERMS:
                    cells += map(number_text, step.terms[key]) if key in step.terms else no_output
        out.write(delimiter.join(cells) + "\n")


def _write_plain_rows(run: Run, net: Network, out: TextIO, delimiter: str, batched: bool) -> bool:
    """The common case at speed: every row full and finite (see row_bodies).
    Whether it could; otherwise nothing is written."""
    result = run.result
    every_step_emits = len(result.output_steps) == len(result.X)
    if run.explained is not None or (net.has_output_layer and not every_step_emits):
        return False
    parts = [result.X, result.H]
    if result.C is not None:
        parts.append(result.C)
    if net.has_output_layer:
        parts.append(result.O)
    rows = np.hstack(parts)
    if not np.isfinite(rows).all():
        return False
    lines = row_bodies(rows)
    if delimiter != ",":
        lines = "\n".join(lines).replace(",", delimiter).split("\n")
    prefix = f"{_cell(str(run.id), delimiter)}{delimiter}" if batched else ""
    first = run.first_t
    if run.kept is not None:
        kept = [delimiter.join(cells) + delimiter for cells in _kept_cells(run, delimiter)]
        lines = [kept[k] + line for k, line in enumerate(lines)]
    out.write("".join(f"{prefix}{t}{delimiter}{line}\n" for t, line in enumerate(lines, first)))
    return True


def _kept_cells(run: Run, delimiter: str) -> list[list[str]]:
    """The kept cells of every step of the run; empty past the input's rows (the steps
    one-to-many and many-to-many-delayed add)."""
    if run.kept is None:
        return [[]] * len(run.result.X)
    rows = [[_cell(text, delimiter) for text in row] for row in run.kept.rows]
    blank = [""] * len(run.kept.names)
    return rows + [blank] * (len(run.result.X) - len(rows))


def _cell(text: str, delimiter: str) -> str:
    """Text as one cell: in "double quotes" (with "" for a quote) where it holds the
    delimiter, a quote or a line break, as CSV readers expect."""
    if any(c in text for c in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text
