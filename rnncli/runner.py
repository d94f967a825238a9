"""The forward command without its options: read the inputs, run the network, write.

Errors are RnnCliError with their exit code; turning them into output is the command
line's job.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from rnncli.activations import FloatArray
from rnncli.batching import forward_batch
from rnncli.config import default_network, load_config
from rnncli.decimal_numbers import decimal
from rnncli.delimited_reader import read_chunks
from rnncli.errors import EXIT_USAGE, RnnCliError
from rnncli.files import (
    MAX_CONFIG_BYTES,
    check_output,
    decode_text,
    output_stream,
    read_bytes,
    source_name,
)
from rnncli.forward import Forward, first_non_finite
from rnncli.input_batch import Sequence
from rnncli.message_words import counted, shown
from rnncli.network import Network
from rnncli.option_values import Direction, Dtype, InputFormat, Mode, OutputFormat
from rnncli.run import Run
from rnncli.sequence import format_of, read_batch
from rnncli.sequence_fit import check_fits
from rnncli.writers import write

if TYPE_CHECKING:
    from rnncli.explain import Terms


class ForwardRequest(NamedTuple):
    """What `rnncli forward` was asked to do; see its --help."""

    sequence: str
    config: str | None = None
    mode: Mode = Mode.MANY_TO_MANY
    output_format: OutputFormat = OutputFormat.AUTO
    no_header: bool = False
    input_format: InputFormat | None = None
    output: str | None = None
    h0: str | None = None
    precision: int = 4
    explain: bool = False
    all_rows: bool = False
    steps: int | None = None
    feedback: bool = False
    dtype: Dtype = Dtype.FLOAT64
    group_by: str | None = None
    save_state: str | None = None


def usage_error(option: str, message: str) -> RnnCliError:
    return RnnCliError(f"{option}: {message}", exit_code=EXIT_USAGE)


def check_options(request: ForwardRequest) -> None:
    """The options that contradict each other, before any file is read."""
    counted_modes = (Mode.ONE_TO_MANY, Mode.MANY_TO_MANY_DELAYED)
    if request.mode in counted_modes and request.steps is None:
        raise usage_error("--steps", f"{request.mode} needs the number of steps to run")
    if request.mode not in counted_modes and request.steps is not None:
        raise usage_error("--steps", "is for one-to-many and many-to-many-delayed")
    if request.feedback and request.mode is not Mode.ONE_TO_MANY:
        raise usage_error("--feedback", "is for one-to-many")
    if request.config == "-" and request.sequence == "-":
        raise RnnCliError("the sequence and the config cannot both be read from stdin (-)")


#: The most steps' worth of arrays a run may hold in memory at once.
MAX_HELD_VALUES = 400_000_000


def check_network_options(request: ForwardRequest, net: Network) -> None:
    """The options this network cannot do, before the sequence is read."""
    if request.explain and (not net.is_simple or net.clip is not None):
        raise usage_error(
            "--explain",
            "takes apart one-layer networks run forward without a clip, as in the lecture",
        )
    if (
        request.mode in (Mode.ONE_TO_MANY, Mode.MANY_TO_MANY_DELAYED)
        and net.direction is not Direction.FORWARD
    ):
        raise usage_error(f"--mode {request.mode}", "runs forward in time only")
    if request.feedback and net.output_size != net.input_size:
        raise usage_error(
            "--feedback",
            f"feeds o_t back as x_t+1, so it needs as many outputs ({net.output_size}) "
            f"as inputs ({net.input_size})",
        )
    if request.save_state is not None:
        if net.direction is not Direction.FORWARD:
            raise usage_error(
                "--save-state",
                "carries a state forward in time; a reverse direction starts from the end",
            )
        if request.save_state in ("", "-"):
            raise usage_error("--save-state", "needs a file name")
    if request.steps is not None:
        per_step = net.input_size + net.output_size + 3 * net.num_layers * net.state_size
        if request.steps * per_step > MAX_HELD_VALUES:
            raise usage_error(
                "--steps",
                f"{request.steps:,} steps would hold about "
                f"{request.steps * per_step * 8 / 2**30:,.0f} GiB in memory; give fewer",
            )


def run_forward(
    request: ForwardRequest, stdout_is_terminal: bool, warn: Callable[[str], None]
) -> None:
    """Run `rnncli forward`: messages through `warn`, data to stdout or --output."""
    check_options(request)
    # The input format is decided here, once: the option, else the file name's extension;
    # None leaves it to the content.
    request = request._replace(input_format=format_of(request.sequence, request.input_format))
    check_output(request.output)
    check_output(request.save_state)
    net = default_network() if request.config is None else load_config(request.config)
    check_network_options(request, net)
    h0 = initial_state(request.h0, net)
    to_terminal = request.output is None and stdout_is_terminal
    chosen = request.output_format.resolved(to_terminal)
    if streams(request, net, chosen):
        stream_forward(request, net, chosen, h0, warn)
        return
    batch = read_batch(request.sequence, request.input_format, request.group_by)
    if request.save_state is not None and batch.batched:
        raise usage_error("--save-state", "saves the state of one sequence, not of a batch")
    config_source = None if request.config is None else source_name(request.config)
    for sequence in batch.sequences:
        check_fits(sequence, net, config_source)
    if request.mode is Mode.ONE_TO_MANY:
        for sequence in batch.sequences:
            if len(sequence.X) != 1:
                raise RnnCliError(
                    f"{sequence.source}: one-to-many reads one row x_1, "
                    f"this has {counted(len(sequence.X), 'row')}"
                )
    results = forward_batch(
        net,
        [sequence.X for sequence in batch.sequences],
        h0,
        request.mode,
        request.steps,
        request.feedback,
        np.dtype(str(request.dtype)),
    )
    for sequence, result in zip(batch.sequences, results, strict=True):
        _warn_if_not_finite(result, sequence.id if batch.batched else None, warn)

    in_dtype = net.astype(np.dtype(str(request.dtype)))
    runs = [
        Run(result, sequence.id, _terms(in_dtype, result) if request.explain else None)
        for sequence, result in zip(batch.sequences, results, strict=True)
    ]
    with output_stream(request.output) as out:
        if chosen is OutputFormat.TABLE:
            from rich.console import Console

            from rnncli.render import runs_view

            view = runs_view(runs, net, request.precision, to_terminal and not request.all_rows)
            # On a terminal rich fits the table to the window; elsewhere nothing wraps.
            console = Console(file=out) if to_terminal else Console(file=out, width=100_000)
            console.print(view)
        else:
            write(runs, net, chosen, out, not request.no_header, batch.batched)
    if request.save_state is not None:  # only once the output is complete
        save_state(request.save_state, results[0])


#: Steps read, run and written at a time when a run streams.
CHUNK_ROWS = 16_384


def streams(request: ForwardRequest, net: Network, chosen: OutputFormat) -> bool:
    """Whether the run can go through in pieces, in flat memory: a CSV/TSV sequence to
    csv, tsv or jsonl, many-to-many, forward in time, nothing to explain."""
    delimited_input = (InputFormat.CSV, InputFormat.TSV)
    return (
        request.input_format in delimited_input
        and chosen in (OutputFormat.CSV, OutputFormat.TSV, OutputFormat.JSONL)
        and request.mode is Mode.MANY_TO_MANY
        and net.direction is Direction.FORWARD
        and request.group_by is None
        and not request.explain
    )


def stream_forward(
    request: ForwardRequest,
    net: Network,
    chosen: OutputFormat,
    h0: FloatArray | None,
    warn: Callable[[str], None],
) -> None:
    """Read, run and write CHUNK_ROWS steps at a time, carrying h across the pieces:
    the same numbers as one pass, in memory that does not grow with T."""
    config_source = None if request.config is None else source_name(request.config)
    dtype = np.dtype(str(request.dtype))
    warned = False
    last: Forward | None = None
    t = 1
    with output_stream(request.output) as out, progress_on_stderr() as progress:
        for X in read_chunks(request.sequence, request.input_format, CHUNK_ROWS):
            if t == 1:  # the reader holds every later chunk to the first one's width
                check_fits(Sequence(X=X, source=source_name(request.sequence)), net, config_source)
            state = h0 if last is None else last.h_n
            last = forward_batch(net, [X], state, request.mode, dtype=dtype)[0]
            if not warned:
                warned = _warn_if_not_finite(last, None, warn, first_t=t)
            header = t == 1 and not request.no_header
            write([Run(last, first_t=t)], net, chosen, out, header)
            t += len(X)
            progress(t - 1)
    if request.save_state is not None and last is not None:
        save_state(request.save_state, last)


@contextmanager
def progress_on_stderr() -> Iterator[Callable[[int], None]]:
    """A progress line on stderr for a run that takes over a second, on a terminal only."""
    if not sys.stderr.isatty():
        yield lambda steps: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    started = time.monotonic()
    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,} steps"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = display.add_task("forward", total=None)
    shown = False

    def update(steps: int) -> None:
        nonlocal shown
        if not shown and time.monotonic() - started > 1.0:
            display.start()
            shown = True
        display.update(task, completed=steps)

    try:
        yield update
    finally:
        if shown:
            display.stop()


def _terms(net: Network, result: Forward) -> Terms:
    from rnncli.explain import terms

    return terms(net, result)


def initial_state(text: str | None, net: Network) -> FloatArray | None:
    """--h0: numbers "v1,v2,..." (L*D*H of them), or a file that --save-state wrote."""
    if text is None:
        return None
    expected = net.h0.size
    if os.path.exists(text):
        values = _state_file(text, net)
    elif text.endswith(".json") or os.sep in text:
        raise RnnCliError(f"{text}: no such file (expected a state file from --save-state)")
    else:
        parsed = [decimal(value.strip()) for value in text.split(",")]
        if any(value is None or not math.isfinite(value) for value in parsed):
            raise usage_error(
                "--h0",
                "expected finite numbers separated by commas, like 0.5,-0.1, or a file "
                f"--save-state wrote; got {shown(text)}",
            )
        values = [value for value in parsed if value is not None]
    if len(values) != expected:
        units = counted(net.hidden_size, "hidden unit")
        if expected != net.hidden_size:
            units += f" in each of {net.h0.shape[0]} layers and directions"
        raise usage_error("--h0", f"has {counted(len(values), 'value')}; the network has {units}")
    return np.array(values, dtype=np.float64).reshape(net.h0.shape)


def _state_file(path: str, net: Network) -> list[float]:
    """The numbers of a state file: {"h0": [[...], ...]} as --save-state writes it, one
    state of H per layer and direction of this network."""
    source = source_name(path)
    count, H = net.h0.shape
    expected = f'{{"h0": [...]}} with {count} list(s) of {H} numbers, as --save-state writes'
    try:
        document = json.loads(decode_text(read_bytes(path, "state", MAX_CONFIG_BYTES), source))
    except (ValueError, RecursionError):
        raise RnnCliError(f"{source}: not a state file; expected {expected}") from None
    rows = document.get("h0") if isinstance(document, dict) else None
    if (
        not isinstance(rows, list)
        or len(rows) != count
        or not all(isinstance(row, list) and len(row) == H for row in rows)
        or not all(_is_number(v) for row in rows for v in row)
    ):
        raise RnnCliError(f"{source}: not a state of this network; expected {expected}")
    values = [float(v) for row in rows for v in row]
    if not all(math.isfinite(v) for v in values):
        raise RnnCliError(f"{source}: the state holds a value that is not finite")
    return values


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def save_state(path: str, result: Forward) -> None:
    """Write the final state of every layer and direction, for --h0 to read back."""
    if not np.isfinite(result.h_n).all():
        raise RnnCliError(f"{path}: not written: the final state is not finite")
    h_n = result.h_n.astype(np.float64).tolist()
    with output_stream(path) as out:
        out.write(json.dumps({"h0": h_n}) + "\n")


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
    which = "" if sequence_id is None else f" in sequence {sequence_id}"
    warn(
        f"rnncli: warning: {name}_t overflowed to inf or nan at t = {t + first_t - 1:,} "
        f"(unit {unit}){which}; the weights or inputs are too large for this activation"
    )
    return True
