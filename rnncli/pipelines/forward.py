"""The forward command's one pipeline: read the inputs in pieces, run each, write each.

Errors are RnnCliError with their exit code; turning them into output is the command
line's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TextIO

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.forward import forward_batch
from rnncli.core.forward_result import Forward, first_non_finite
from rnncli.core.input_scale import fitted_scale, scale_line
from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.errors import RnnCliError
from rnncli.io.delimited import read_chunks
from rnncli.io.files import source_name
from rnncli.io.input_batch import Batch
from rnncli.io.output_files import check_run_files, output_stream
from rnncli.io.sequence import format_of, read_batch
from rnncli.message_words import counted
from rnncli.models.config.read import default_network
from rnncli.models.read import files_read_with, load_config
from rnncli.numeric_trouble import overflow_line
from rnncli.option_values import Direction, InputFormat, Mode, OutputFormat
from rnncli.pipelines.forward_request import (
    ForwardRequest,
    check_network_options,
    check_options,
    check_scale_sources,
    usage_error,
)
from rnncli.pipelines.sequence_fit import check_fits
from rnncli.pipelines.state_file import initial_state, save_state
from rnncli.views.formats import FORMATS, TABLE_PRECISION, Shown
from rnncli.views.progress import progress_on_stderr
from rnncli.views.run_views import output_steps_only

if TYPE_CHECKING:
    from rnncli.core.explain import Terms
    from rnncli.views.table_text import ViewParts


def run_forward(
    request: ForwardRequest, stdout_is_terminal: bool, warn: Callable[[str], None]
) -> None:
    """Run `rnncli forward`: messages through `warn`, data to stdout or --output.

    One path: every option is checked, then the input is read in pieces, each piece run
    (h, and an LSTM's c, carried from one to the next) and written as it comes. A run
    held in memory is a single piece: the whole sequence or batch.
    """
    check_options(request)
    check_run_files(
        [("-o", request.output), ("--save-state", request.save_state)],
        [
            ("the sequence", request.sequence),
            *files_read_with("the config", request.config),
            ("--h0", request.h0),
            ("--expect", request.expect),
        ],
    )
    # The input format is decided here, once: the option, else the file name's extension;
    # None leaves it to the content.
    request = request._replace(input_format=format_of(request.sequence, request.input_format))
    net = default_network() if request.config is None else load_config(request.config)
    check_network_options(request, net)
    given = initial_state(request.h0, net)
    check_scale_sources(request, net, given.scale is not None)
    checker = None
    if request.expect is not None:
        from rnncli.io.reference import read_reference
        from rnncli.pipelines.reference_check import DEFAULT_ATOL, DEFAULT_RTOL, ReferenceCheck

        atol = DEFAULT_ATOL if request.atol is None else request.atol
        rtol = DEFAULT_RTOL if request.rtol is None else request.rtol
        checker = ReferenceCheck(read_reference(request.expect), net, atol, rtol)
    to_terminal = request.output is None and stdout_is_terminal
    chosen = request.output_format.resolved(to_terminal)
    dtype = np.dtype(str(request.dtype))
    explained_net = net.astype(dtype) if request.explain else None
    beyond = _Beyond(dtype, warn)
    beyond.check("the network (its weights or h0)", *_arrays(net), given.h0)
    # x_t' = (x_t - mean) / std: the config's, the state file's, or fitted (--standardize)
    scale = net.scale or given.scale
    warned: set[str | int | None] = set()
    # h_n (and an LSTM's c_n) carried from one piece to the next; no piece's arrays are
    # held past its own turn, so two pieces are never in memory at once
    final: tuple[FloatArray, FloatArray | None] | None = None
    t = 1  # the step number of the piece's first row
    with output_stream(request.output) as out, progress_on_stderr() as progress:
        table = None
        if chosen is OutputFormat.TABLE and streams(request, net, chosen, to_terminal):
            from rnncli.views.table_stream import TableStream

            table = TableStream(
                net, TABLE_PRECISION if request.precision is None else request.precision, out
            )
        for batch in _pieces(request, net, chosen, to_terminal):
            if t == 1:
                _check_batch(request, net, batch)
            Xs: list[FloatArray] = [sequence.X for sequence in batch.sequences]
            beyond.check("the input", *Xs)
            if request.standardize and t == 1:  # the whole input is this one piece
                scale, constant = fitted_scale(Xs)
                warn(scale_line(scale, constant))
            if scale is not None:
                Xs = [scale.apply(X) for X in Xs]
            # h (and an LSTM's c) carried from the last piece
            h, c = (given.h0, given.c0) if final is None else final
            results = forward_batch(
                net, Xs, h, request.mode, request.steps, request.feedback, dtype, c
            )
            runs = _runs(request, batch, results, t, explained_net, c, warned, warn)
            if checker is not None:
                checker.check(runs[0])  # --expect takes one sequence
            if table is not None:  # a stream's table: many-to-many, so every step is kept
                table.piece(runs[0])
            else:
                _write(request, net, chosen, runs, out, to_terminal, t == 1, batch.batched)
            final = results[0].h_n, results[0].c_n
            t += len(Xs[0])
            progress(t - 1)
            del batch, Xs, results, runs  # before the next piece is read
        if table is not None:
            table.end()
    if request.save_state is not None and final is not None:  # once the output is complete
        # The scale goes with the state unless the config gives it again.
        save_state(request.save_state, *final, None if scale is net.scale else scale)
    if checker is not None:
        warn(checker.verdict())


#: Steps read, run and written at a time when a run streams (about: the reader cuts
#: blocks of CHUNK_ROWS * 32 bytes at line ends). The peak is a piece's arrays and text
#: plus what the allocator keeps of earlier pieces: small pieces keep both small.
CHUNK_ROWS = 4_096


def streams(
    request: ForwardRequest, net: Network, chosen: OutputFormat, to_terminal: bool = False
) -> bool:
    """Whether the run can go through in pieces, in flat memory: a CSV/TSV sequence to
    csv, tsv, jsonl or (not on a terminal, which shows the ends only) the table,
    many-to-many, forward in time, nothing to explain."""
    delimited_input = (InputFormat.CSV, InputFormat.TSV)
    piecewise = (OutputFormat.CSV, OutputFormat.TSV, OutputFormat.JSONL)
    return (
        request.input_format in delimited_input
        and (chosen in piecewise or (chosen is OutputFormat.TABLE and not to_terminal))
        and request.mode is Mode.MANY_TO_MANY
        and net.direction is Direction.FORWARD
        and request.group_by is None
        and not request.explain
        and not request.standardize  # the mean and std of the whole sequence come first
    )


def _pieces(
    request: ForwardRequest, net: Network, chosen: OutputFormat, to_terminal: bool
) -> Iterator[Batch]:
    """The input as the pieces the run goes through: CHUNK_ROWS steps of one sequence at a
    time where the run streams, else the whole batch as one piece."""
    if not streams(request, net, chosen, to_terminal):
        yield read_batch(request.sequence, request.input_format, request.group_by, request.choice)
        return
    for sequence in read_chunks(request.sequence, request.input_format, CHUNK_ROWS, request.choice):
        yield Batch([sequence], batched=False)


def _runs(
    request: ForwardRequest,
    batch: Batch,
    results: list[Forward],
    t: int,
    explained_net: Network | None,
    c0: FloatArray | None,
    warned: set[str | int | None],
    warn: Callable[[str], None],
) -> list[Run]:
    """The piece's results as the runs to write (step t its first), each sequence warned
    about once where it first stops being finite."""
    runs = []
    for sequence, result in zip(batch.sequences, results, strict=True):
        shown_id = sequence.id if batch.batched else None
        if shown_id not in warned and _warn_if_not_finite(result, shown_id, warn, t):
            warned.add(shown_id)
        terms = None if explained_net is None else _terms(explained_net, result, c0)
        run = Run(result, shown_id, terms, t, sequence.columns, sequence.kept)
        runs.append(output_steps_only(run) if request.last else run)
    return runs


def _check_batch(request: ForwardRequest, net: Network, batch: Batch) -> None:
    """What the first piece must be for this network and these options. (A stream's
    reader holds every later piece to the first one's width.)"""
    if request.save_state is not None and batch.batched:
        raise usage_error("--save-state", "saves the state of one sequence, not of a batch")
    if request.expect is not None and batch.batched:
        raise usage_error("--expect", "compares one sequence's run, not a batch")
    config_source = None if request.config is None else source_name(request.config)
    for sequence in batch.sequences:
        check_fits(sequence, net, config_source)
        if request.mode is Mode.ONE_TO_MANY and len(sequence.X) != 1:
            raise RnnCliError(
                f"{sequence.source}: one-to-many reads one row x_1, "
                f"this has {counted(len(sequence.X), 'row')}"
            )


def _write(
    request: ForwardRequest,
    net: Network,
    chosen: OutputFormat,
    runs: list[Run],
    out: TextIO,
    to_terminal: bool,
    header: bool,
    batched: bool,
) -> None:
    """One piece's runs in the chosen format (a header with the first piece only)."""
    written = FORMATS[chosen]
    parts = None  # the formats for programs write numbers alone
    if written.for_people:
        parts = _parts(request)
        _check_hand_step(parts.hand_step, runs)
    shown = Shown(
        precision=request.precision,
        header=header and not request.no_header,
        batched=batched,
        all_rows=request.all_rows,
        to_terminal=to_terminal,
        parts=parts,
    )
    written.forward(runs, net, out, shown)


def _parts(request: ForwardRequest) -> ViewParts:
    """What a view for people holds beside its numbers, as the options say."""
    from rnncli.views.table_text import ViewParts

    hand_step = 1 if request.hand_step is None else request.hand_step
    return ViewParts(not request.no_title, not request.no_sparklines, hand_step)


def _check_hand_step(t: int, runs: list[Run]) -> None:
    """--hand-step names a step every explained run has."""
    T = min((len(run.result.X) for run in runs if run.explained is not None), default=t)
    if t > T:
        raise usage_error("--hand-step", f"is {t}, but the run has {counted(T, 'step')}")


def _terms(net: Network, result: Forward, c0: FloatArray | None) -> Terms:
    from rnncli.core.explain import terms

    return terms(net, result, c0)


class _Beyond:
    """Warns once when numbers lie beyond the run's float type (they become inf)."""

    def __init__(self, dtype: np.dtype[np.floating], warn: Callable[[str], None]) -> None:
        self.largest = float(np.finfo(dtype).max)
        self.dtype, self.warn, self.warned = dtype, warn, dtype == np.float64

    def check(self, what: str, *arrays: np.ndarray | None) -> None:
        if self.warned:
            return
        if any(a is not None and a.size and np.abs(a).max() > self.largest for a in arrays):
            self.warned = True
            self.warn(
                f"rnncli: warning: {what} has numbers beyond {self.dtype}'s range "
                f"(±{self.largest:.4g}), which are inf under --dtype {self.dtype}"
            )


def _arrays(net: Network) -> list[np.ndarray | None]:
    """Every array of the network: each cell's weights, the output layer, h0."""
    cells = [a for c in net.cells for a in (c.W_xh, c.W_hh, c.b_xh, c.b_hh)]
    return [*cells, net.W_ho, net.b_o, net.h0]


def _warn_if_not_finite(
    result: Forward,
    sequence_id: str | int | None,
    warn: Callable[[str], None],
    first_t: int = 1,
) -> bool:
    """Warn where the result first stops being finite; whether it did."""
    where = first_non_finite(result)
    if where is None:
        return False
    name, t, unit = where
    warn(overflow_line(name, t + first_t - 1, unit, sequence_id))
    return True
