"""Everything `rnncli backward` shows, in one record for its writers and views."""

from __future__ import annotations

from typing import NamedTuple

from rnncli.cells.activations import FloatArray
from rnncli.core.bptt import Backward
from rnncli.core.gradient_flow import GradientFlow
from rnncli.core.gradients import Gradients
from rnncli.core.network import Network
from rnncli.option_values import LossName, Mode, Reduction


class Clipping(NamedTuple):
    """--clip-norm or --clip-value: the limit C and the gradients before clipping."""

    kind: str  # "norm" (clip_grad_norm_) or "value" (clip_grad_value_)
    limit: float
    before: Gradients
    norm_before: float


class FlowComparison(NamedTuple):
    """--compare CONFIG: the same sequence through another network, its gradient flow."""

    net: Network
    flow: GradientFlow
    note: str


class BackwardReport(NamedTuple):
    """One backward run: the network, its BPTT (without targets only the forward part is
    read), the gradient flow and the options that shaped the gradients."""

    net: Network
    result: Backward
    flow: GradientFlow
    gamma: float  # sup |f'|
    note: str  # one sentence on rho and sigma_max
    has_targets: bool
    Y: FloatArray  # T x O (mse) or T x 1 (class indices); nan rows carry no loss
    mode: Mode
    loss: LossName
    reduction: Reduction
    gradients: Gradients  # what an optimiser would use: after truncation and clipping
    gradient_norm: float  # of `gradients` (the parameters', h0 apart)
    truncate: int | None = None
    full_gradients: Gradients | None = None  # without truncation, where it truncates
    clipping: Clipping | None = None
    check: dict[str, float] | None = None  # --check: the largest relative error each
    explain: list[str] | None = None  # --explain: the equations with their numbers
    compare: FlowComparison | None = None  # --compare: another network's flow beside
