"""The backward command without its options: read the inputs, run BPTT, write.

Errors are RnnCliError with their exit code; turning them into output is the command
line's job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.cells.slopes import steepest
from rnncli.core.bptt import Backward, bptt, has_step_back
from rnncli.core.gradient_flow import GradientFlow, flow_note, gated_note, gradient_flow, state_flow
from rnncli.core.gradients import clip_norm, clip_value, parameter_norm
from rnncli.core.loss import Targets
from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.io.files import source_name
from rnncli.io.output_files import check_run_files, output_stream
from rnncli.io.sequence import read_sequence
from rnncli.models.config.read import default_network
from rnncli.models.read import files_read_with, load_config
from rnncli.numeric_trouble import first_non_finite, gradient_line, overflow_line
from rnncli.option_values import InputFormat, LossName, Mode, OutputFormat, Reduction
from rnncli.pipelines.forward_request import usage_error
from rnncli.pipelines.sequence_fit import check_fits
from rnncli.pipelines.state_file import initial_state
from rnncli.views.backward.report import BackwardReport, Clipping, FlowComparison
from rnncli.views.formats import FORMATS, Shown


class BackwardRequest(NamedTuple):
    """What `rnncli backward` was asked to do; see its --help."""

    sequence: str
    config: str | None = None
    targets: str | None = None
    loss: LossName = LossName.MSE
    reduction: Reduction = Reduction.SUM
    mode: Mode | None = None
    truncate: int | None = None
    clip_norm: float | None = None
    clip_value: float | None = None
    check: bool = False
    explain: bool = False
    output_format: OutputFormat = OutputFormat.AUTO
    no_header: bool = False
    input_format: InputFormat | None = None
    output: str | None = None
    h0: str | None = None
    precision: int = 4
    compare: str | None = None


def check_options(request: BackwardRequest) -> None:
    """The options that contradict each other, before any file is read."""
    if request.truncate is not None and request.truncate < 1:
        raise usage_error("--truncate", f"is a number of steps, 1 or more; got {request.truncate}")
    for option, value in (("--clip-norm", request.clip_norm), ("--clip-value", request.clip_value)):
        if value is not None and not value > 0:
            raise usage_error(option, f"is the largest allowed, above 0; got {value}")
    if request.clip_norm is not None and request.clip_value is not None:
        raise usage_error("--clip-norm", "and --clip-value: give one of them")
    if request.targets is None:
        given = [
            name
            for name, value in (
                ("--truncate", request.truncate),
                ("--clip-norm", request.clip_norm),
                ("--clip-value", request.clip_value),
                ("--mode", request.mode),
                ("--check", request.check or None),
            )
            if value is not None
        ]
        if given:
            raise usage_error(given[0], "needs --targets (a loss to differentiate)")
    if request.explain and request.targets is None:
        raise usage_error("--explain", "writes the backward equations: it needs --targets")
    if request.mode is not None and request.mode not in (Mode.MANY_TO_MANY, Mode.MANY_TO_ONE):
        raise usage_error(
            "--mode", f"backward takes many-to-many or many-to-one, not {request.mode}"
        )
    paths = (request.sequence, request.config, request.targets, request.compare)
    stdin_users = [p for p in paths if p == "-"]
    if len(stdin_users) > 1:
        raise RnnCliError("only one of the sequence, the config and the targets can be stdin (-)")


def check_network(net: Network) -> None:
    """What backward does not take apart yet, said before the sequence is read."""
    if not net.is_simple:
        raise usage_error(
            "backward", "takes one-layer networks run forward (stacked and bidirectional: not yet)"
        )
    if net.clip is not None:
        raise usage_error("backward", "takes networks without a clip (its slope is 0 or 1)")
    if not has_step_back(net.cell):
        raise usage_error(
            "backward", "takes rnn, gru and lstm cells; an lstm without peepholes or W_hr (not yet)"
        )


def network_flow(net: Network, result: Backward) -> tuple[GradientFlow, str]:
    """The gradient flow and its sentence: through W_hh for rnn, the state for lstm, gru."""
    if net.cell_kind == "rnn":
        flow = gradient_flow(net.W_hh, result.F)
        return flow, flow_note(flow, steepest(net.activation))
    flow = state_flow(net.cell, result)
    return flow, gated_note(flow)


def compared_flow(config: str, X: FloatArray) -> FlowComparison:
    """--compare CONFIG: the same inputs through another one-layer network, its flow."""
    net = load_config(config)
    check_network(net)
    if net.input_size != X.shape[1]:
        raise usage_error(
            "--compare", f"{source_name(config)} takes {net.input_size} inputs, not {X.shape[1]}"
        )
    T = len(X)
    empty = Targets(np.full((T, net.output_size), np.nan), np.zeros(T, dtype=bool))
    flow, note = network_flow(net, bptt(net, X, empty, LossName.MSE))
    return FlowComparison(net, flow, note)


def backward_report(request: BackwardRequest) -> BackwardReport:
    """Read the inputs and compute everything the command shows."""
    from rnncli.io.targets import read_targets

    check_options(request)
    net = default_network() if request.config is None else load_config(request.config)
    check_network(net)
    h0, c0, state_scale = initial_state(request.h0, net)
    if h0 is not None:
        from dataclasses import replace

        net = replace(net, h0=h0, c0=net.c0 if c0 is None else c0)
    sequence = read_sequence(request.sequence, request.input_format)
    check_fits(sequence, net, None if request.config is None else source_name(request.config))
    # The inputs as forward reads them: through the config's or the state file's scale.
    scale = net.scale or state_scale
    X, T = sequence.X if scale is None else scale.apply(sequence.X), len(sequence.X)
    if request.targets is None:
        targets = Targets(np.full((T, net.output_size), np.nan), np.zeros(T, dtype=bool))
        mode = Mode.MANY_TO_ONE
    else:
        Y, S, mode = read_targets(request.targets, T, net.output_size, request.loss, request.mode)
        targets = Targets(Y, S)
    loss, reduction = request.loss, request.reduction
    result = bptt(net, X, targets, loss, reduction, request.truncate)
    gradients, full, clipping = result.gradients, None, None
    if request.truncate is not None:
        full = bptt(net, X, targets, loss, reduction).gradients
    if request.clip_norm is not None or request.clip_value is not None:
        kind = "norm" if request.clip_norm is not None else "value"
        limit = request.clip_norm if request.clip_norm is not None else request.clip_value
        assert limit is not None
        clipping = Clipping(kind, limit, gradients, parameter_norm(gradients))
        clip = clip_norm if kind == "norm" else clip_value
        gradients = clip(gradients, limit)
    flow, note = network_flow(net, result)
    gamma = steepest(net.activation)
    check = None
    if request.check:
        from rnncli.core.finite_differences import check as finite_difference_check

        check = finite_difference_check(net, X, targets, loss, reduction)
    report = BackwardReport(
        net=net,
        result=result,
        flow=flow,
        gamma=gamma,
        note=note,
        has_targets=request.targets is not None,
        Y=targets.Y,
        mode=mode,
        loss=loss,
        reduction=reduction,
        gradients=gradients,
        gradient_norm=parameter_norm(gradients),
        truncate=request.truncate,
        full_gradients=full,
        clipping=clipping,
        check=check,
        compare=None if request.compare is None else compared_flow(request.compare, X),
    )
    if request.explain:
        from rnncli.views.backward.explain import explain_lines
        from rnncli.views.backward.explain_gates import gated_explain_lines

        explain = gated_explain_lines if net.gates else explain_lines
        report = report._replace(explain=explain(report, request.precision))
    return report


def trouble_line(result: Backward, gradients: dict[str, FloatArray]) -> str | None:
    """The warning for the first value of a BPTT that is not finite, or None: forward
    (h_t, o_t) by step, then the loss L_t at the steps that carry one, then backwards
    (dL/dh_t, dL/dz_t) in the order backpropagation reaches them, then the gradients."""
    steps = range(1, len(result.H) + 1)
    forward = [("h", result.H, steps), ("o", result.O, steps)]
    losses = result.losses[:, None][result.S]
    backward = [("dL/dh", result.dH, steps), ("dL/dz", result.dZ, steps)]
    for candidates, latest in (
        (forward, False),
        ([("L", losses, (np.flatnonzero(result.S) + 1).tolist())], False),
        (backward, True),
    ):
        where = first_non_finite(candidates, latest)
        if where is not None:
            return overflow_line(*where)
    return gradient_line(gradients)


def run_backward(
    request: BackwardRequest, stdout_is_terminal: bool, warn: Callable[[str], None]
) -> None:
    """Run `rnncli backward`: data to stdout or --output; a warning (numbers that overflowed)
    to `warn`."""
    check_options(request)
    check_run_files(
        [("-o", request.output)],
        [
            ("the sequence", request.sequence),
            *files_read_with("the config", request.config),
            ("--targets", request.targets),
            ("--h0", request.h0),
            ("--compare", request.compare),
        ],
    )
    to_terminal = request.output is None and stdout_is_terminal
    chosen = request.output_format.resolved(to_terminal)
    if chosen not in (OutputFormat.TABLE, OutputFormat.JSON):
        for option, given in (("--explain", request.explain), ("--check", request.check)):
            if given:
                raise usage_error(option, f"shows in the table and in json, not in {chosen}")
    report = backward_report(request)
    trouble = trouble_line(report.result, report.gradients)
    if trouble is not None:
        warn(trouble)
    shown = Shown(request.precision, not request.no_header, to_terminal=to_terminal)
    with output_stream(request.output) as out:
        FORMATS[chosen].backward(report, out, shown)
