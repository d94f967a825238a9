"""`rnncli backward` for people: the steps back, every gradient, and the gradient flow."""

from __future__ import annotations

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncli.activations import FloatArray
from rnncli.backward import Gradients
from rnncli.backward_report import BackwardReport
from rnncli.sparklines import sparkline
from rnncli.table_text import fixed


def _vector(values: FloatArray, precision: int) -> str:
    return "  ".join(fixed(float(v), precision) for v in values)


def _matrix(values: FloatArray, precision: int) -> str:
    """One line per row, every number right-aligned to the widest of the matrix."""
    texts = [[fixed(float(v), precision) for v in row] for row in np.atleast_2d(values)]
    width = max((len(text) for row in texts for text in row), default=0)
    return "\n".join("  ".join(text.rjust(width) for text in row) for row in texts)


def _title(report: BackwardReport, what: str) -> str:
    net = report.net
    sizes = f"{net.input_size} → {net.hidden_size}"
    if net.has_output_layer:
        sizes += f" → {net.output_size}"
    return " · ".join(part for part in (net.name, sizes, what) if part)


def steps_table(report: BackwardReport, precision: int) -> Table:
    """One row per step t: the forward values, the loss, and each derivative back."""
    r = report.result
    table = Table(title=_title(report, str(report.mode)), title_justify="left")
    names = ["t", "z_t", "h_t", "f'(z_t)", "o_t", "y_t", "loss", "∂L/∂o_t"]
    names += ["from the output", "from the future", "∂L/∂h_t", "∂L/∂z_t"]
    for name in names:
        table.add_column(name, justify="right")
    for k in range(len(r.X)):
        carries = bool(r.S[k])
        y = ""
        if carries:
            y = str(int(report.Y[k, 0])) if r.P is not None else _vector(report.Y[k], precision)
        table.add_row(
            str(k + 1),
            _vector(r.Z[k], precision),
            _vector(r.H[k], precision),
            _vector(r.F[k], precision),
            _vector(r.O[k], precision),
            y,
            fixed(float(r.losses[k]), precision) if carries else "",
            _vector(r.dO[k], precision),
            _vector(r.from_output[k], precision),
            _vector(r.from_future[k], precision),
            _vector(r.dH[k], precision),
            _vector(r.dZ[k], precision),
        )
    return table


def gradients_table(report: BackwardReport, precision: int) -> Table:
    """Every gradient; beside it the one before clipping or truncation, and --check."""
    table = Table(title="gradients", title_justify="left")
    table.add_column("", style="bold cyan")
    table.add_column("shape", justify="right")
    table.add_column("∂L/∂…", justify="right")
    others: list[tuple[str, Gradients]] = []
    if report.full_gradients is not None:
        others.append(("full BPTT (untruncated)", report.full_gradients))
    if report.clipping is not None:
        others.append(("before clipping", report.clipping.before))
    for name, _ in others:
        table.add_column(name, justify="right")
    if report.check is not None:
        table.add_column("finite differences: rel. error", justify="right")
    for name, gradient in report.gradients.items():
        shape = "x".join(str(n) for n in gradient.shape)
        row = [name, shape, _matrix(gradient, precision)]
        row += [_matrix(other[name], precision) for _, other in others]
        if report.check is not None:
            row.append(f"{report.check[name]:.2e}")
        table.add_row(*row)
    return table


def flow_table(report: BackwardReport, precision: int) -> Table:
    """k = 0..T-1: how h_T depends on h_k, its bound, and the step factor J_{k+1}."""
    flow = report.flow
    T = len(flow.norm)
    table = Table(title=_title(report, f"gradient flow back from h_{T}"), title_justify="left")
    for name in ("k", f"‖∂h_{T}/∂h_k‖₂", "bound Π max|f'|·σ_max", "max|f'(z_k+1)|", "‖J_k+1‖₂"):
        table.add_column(name, justify="right")
    for k in range(T):
        table.add_row(
            str(k),
            f"{flow.norm[k]:.{precision}e}",
            f"{flow.bound[k]:.{precision}e}",
            fixed(float(flow.max_slope[k]), precision),
            fixed(float(flow.jacobian_norm[k]), precision),
        )
    return table


def flow_lines(report: BackwardReport, precision: int) -> list[RenderableType]:
    """ρ, σ_max and γ, the sentence on them, and the norms as a log-scale sparkline."""
    flow, net = report.flow, report.net
    with np.errstate(divide="ignore"):
        logs = np.log10(flow.norm)
    lines: list[RenderableType] = [
        Text(
            f"J_t = diag(f'(z_t)) W_hh;  ∂h_T/∂h_k = J_T ··· J_k+1;  γ = sup|f'| = "
            f"{report.gamma:g} ({net.activation})"
        ),
        Text(
            f"ρ(W_hh) = {flow.spectral_radius:.{precision}f}   "
            f"σ_max(W_hh) = {flow.largest_singular_value:.{precision}f}"
        ),
        Text(report.note),
    ]
    if len(logs):
        lines.append(Text(f"log ‖∂h_T/∂h_k‖, k = 0..{len(logs) - 1}:  {sparkline(logs)}"))
    return lines


def backward_view(report: BackwardReport, precision: int = 4) -> Group:
    """Everything backward shows: with targets the steps and the gradients first."""
    parts: list[RenderableType] = []
    if report.has_targets:
        r = report.result
        steps = int(r.S.sum())
        parts.append(
            Text(
                f"L = {fixed(r.loss, precision)}  ({report.loss}, {report.reduction} over "
                f"{steps} step{'s' if steps != 1 else ''}; scale c = {r.scale:.6g})"
            )
        )
        parts.append(steps_table(report, precision))
        parts.append(gradients_table(report, precision))
        norm = f"gradient norm ‖∂L/∂θ‖₂ = {fixed(report.gradient_norm, precision)} (h0 apart)"
        if report.clipping is not None:
            c = report.clipping
            how = "clip_grad_norm_" if c.kind == "norm" else "clip_grad_value_"
            norm += f"; before clipping ({how}, C = {c.limit:g}): {fixed(c.norm_before, precision)}"
        parts.append(Text(norm))
        if report.truncate is not None:
            parts.append(
                Text(
                    f"truncated BPTT, chunks of K = {report.truncate} steps: h is detached at "
                    "each chunk's end (PyTorch's h.detach()), so nothing flows back across it"
                )
            )
    parts.append(flow_table(report, precision))
    parts.extend(flow_lines(report, precision))
    if report.explain is not None:
        parts.extend(Text(line) for line in report.explain)
    return Group(*parts)
