"""`rnncli plot`: run the network over the sequence (or batch) and save its figure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rnncli.cells.slopes import slope
from rnncli.core.forward import forward_batch
from rnncli.core.forward_result import Forward, first_non_finite, gate_values
from rnncli.core.gradient_flow import gradient_flow
from rnncli.core.network import Network
from rnncli.errors import EXIT_USAGE, RnnCliError
from rnncli.io.files import source_name
from rnncli.io.output_files import check_run_files, output_stream
from rnncli.io.sequence import format_of, read_batch
from rnncli.models.config.read import default_network
from rnncli.models.read import files_read_with, load_config
from rnncli.numeric_trouble import overflow_line
from rnncli.option_values import Mode
from rnncli.pipelines.sequence_fit import check_fits
from rnncli.printable import printable
from rnncli.views.plot import Panel, figure
from rnncli.views.table_text import title

#: What `--what` can name, and the image types the figure is saved as.
QUANTITIES = ("h", "o", "c", "gates", "gradients")
IMAGE_TYPES = (".png", ".svg", ".pdf")
#: The most sequences of a batch drawn, one column of panels each.
MOST_PANELS = 6


class PlotRequest(NamedTuple):
    sequence: str
    output: str
    config: str | None = None
    what: str = "h"
    mode: Mode = Mode.MANY_TO_MANY


def run_plot(request: PlotRequest, warn: Callable[[str], None]) -> None:
    """Check the options, run, draw, save; what a batch leaves out goes to `warn`."""
    wanted = [w.strip() for w in request.what.split(",") if w.strip()]
    unknown = [w for w in wanted if w not in QUANTITIES]
    if unknown or not wanted:
        raise RnnCliError(
            f"--what: {', '.join(unknown) or 'nothing'} is not one of {', '.join(QUANTITIES)}",
            exit_code=EXIT_USAGE,
        )
    if Path(request.output).suffix.lower() not in IMAGE_TYPES or request.output == "-":
        raise RnnCliError(
            f"-o: {request.output}: the figure is saved as .png, .svg or .pdf",
            exit_code=EXIT_USAGE,
        )
    check_run_files(
        [("-o", request.output)],
        [("the sequence", request.sequence), *files_read_with("the config", request.config)],
    )
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RnnCliError(
            "plot needs matplotlib: pip install 'rnncli[plot]'", exit_code=EXIT_USAGE
        ) from None
    net = default_network() if request.config is None else load_config(request.config)
    if "gradients" in wanted and (not net.is_simple or net.cell_kind != "rnn"):
        raise RnnCliError(
            "--what gradients: the gradient flow is of a one-layer rnn", exit_code=EXIT_USAGE
        )
    if "gates" in wanted and not net.gates:
        raise RnnCliError(
            "--what gates: an rnn cell has no gates (an lstm's or gru's)", exit_code=EXIT_USAGE
        )
    batch = read_batch(request.sequence, format_of(request.sequence, None))
    config_source = None if request.config is None else source_name(request.config)
    for sequence in batch.sequences:
        check_fits(sequence, net, config_source)
    shown = batch.sequences[:MOST_PANELS]
    if len(batch.sequences) > MOST_PANELS:
        left = [printable(str(s.id)) for s in batch.sequences[MOST_PANELS:]]
        warn(f"rnncli: plot draws the first {MOST_PANELS} sequences; left out: {', '.join(left)}")
    results = forward_batch(net, [s.X for s in shown], None, request.mode)
    for s, result in zip(shown, results, strict=True):
        where = first_non_finite(result)  # drawn as gaps: said once per sequence
        if where is not None:
            warn(overflow_line(*where, s.id if batch.batched else None))
    columns = [
        (s.id if batch.batched else None, panels(net, result, wanted))
        for s, result in zip(shown, results, strict=True)
    ]
    sizes = title(net, results[0]).split(" · sequence")[0]
    drawn = figure(sizes, columns)
    with output_stream(request.output) as out:  # through a temporary file, as every output
        out.flush()
        drawn.savefig(out.buffer, format=Path(request.output).suffix.lower().lstrip("."))


def panels(net: Network, result: Forward, wanted: list[str]) -> list[Panel]:
    """The panels `wanted` names that this network has, in QUANTITIES' order."""
    T = len(result.X)
    t = np.arange(1, T + 1, dtype=float)
    drawn = []
    if "h" in wanted:
        drawn.append(Panel("h_t", "h", t, result.H))
    if "o" in wanted and net.has_output_layer:
        rows = [k for k in range(T) if result.output_row(k) is not None]
        drawn.append(Panel("o_t", "o", t[rows], result.O.reshape(-1, net.output_size)))
    if "c" in wanted and result.C is not None:
        drawn.append(Panel("c_t", "c", t, result.C))
    if "gates" in wanted and net.gates:
        # each gate after its activation, T x D*H: an lstm's i, f, g, o; a gru's r, z, n
        words = net.cell.gate_meanings
        for name, values in gate_values(net, result).items():
            drawn.append(Panel(f"{name}_t, {words[name]}", name, t, values))
    if "gradients" in wanted:
        # ‖∂h_T/∂h_k‖₂ for k = 0..T-1, J_t = diag(f'(z_t)) W_hh multiplied back from T
        flow = gradient_flow(net.W_hh, slope(net.activation, result.Z))
        k = np.arange(T, dtype=float)
        drawn.append(Panel("‖∂h_T/∂h_k‖₂", "", k, flow.norm[:, np.newaxis], log=True))
    return drawn
