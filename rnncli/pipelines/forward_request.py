"""What `rnncli forward` was asked to do, and the one place each rule about its options is
checked: before any file is read (check_options), then against the network, before the
sequence is read (check_network_options)."""

from __future__ import annotations

from typing import NamedTuple

from rnncli.column_choice import ColumnChoice
from rnncli.core.network import Network
from rnncli.errors import EXIT_USAGE, RnnCliError
from rnncli.option_values import Direction, Dtype, InputFormat, Mode, OutputFormat


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
    precision: int | None = None  # None: 4 in the table, exact numbers elsewhere
    explain: bool = False
    all_rows: bool = False
    steps: int | None = None
    feedback: bool = False
    dtype: Dtype = Dtype.FLOAT64
    group_by: str | None = None
    save_state: str | None = None
    standardize: bool = False
    last: bool = False
    expect: str | None = None
    atol: float | None = None
    rtol: float | None = None
    choice: ColumnChoice = ColumnChoice()  # --columns, --drop, --keep
    hand_step: int | None = None  # the explain view's step written out by hand (1 if None)
    no_title: bool = False
    no_sparklines: bool = False


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
    if request.last and request.explain:
        raise usage_error(
            "--last", "writes the steps that make an output; --explain takes apart every step"
        )
    if request.hand_step is not None and not request.explain:
        raise usage_error("--hand-step", "chooses the step --explain writes out by hand")
    for option, value in (("--atol", request.atol), ("--rtol", request.rtol)):
        if value is not None and request.expect is None:
            raise usage_error(option, "is the tolerance of --expect REF")
    if request.expect in ("", "-"):
        raise usage_error("--expect", "needs a file name")
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
    if request.standardize and net.scale is not None:
        raise usage_error(
            "--standardize", "the config's scale: block already scales the inputs; give one"
        )
    if request.steps is not None:
        per_step = net.input_size + net.output_size + 3 * net.num_layers * net.state_size
        if request.steps * per_step > MAX_HELD_VALUES:
            raise usage_error(
                "--steps",
                f"{request.steps:,} steps would hold about "
                f"{request.steps * per_step * 8 / 2**30:,.0f} GiB in memory; give fewer",
            )


def check_scale_sources(request: ForwardRequest, net: Network, state_has_scale: bool) -> None:
    """One scale per run: a state file's (it carries the scale its run read the inputs
    with), the config's scale: block, or --standardize's."""
    if state_has_scale and (request.standardize or net.scale is not None):
        which = "--standardize" if request.standardize else "the config's scale: block"
        raise usage_error(
            "--h0", f"the state file holds the scale its run read the inputs with; {which} too"
        )
