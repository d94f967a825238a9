"""`rnncli backward` for people: the steps back, every gradient, and the gradient flow."""

from __future__ import annotations

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rnncli.cells.activations import FloatArray
from rnncli.core.gradients import Gradients, gate_blocks
from rnncli.printable import printable
from rnncli.views.backward.report import BackwardReport
from rnncli.views.sparklines import sparkline
from rnncli.views.table_text import fixed


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
    return " · ".join(part for part in (printable(net.name or ""), sizes, what) if part)


def steps_table(report: BackwardReport, precision: int) -> Table:
    """One row per step t: the forward values, the loss, and each derivative back."""
    r = report.result
    table = Table(title=Text(_title(report, str(report.mode))), title_justify="left")
    lstm = r.dC is not None
    names = ["t", "z_t", "h_t", *(["c_t"] if lstm else []), "f'(z_t)", "o_t", "y_t", "loss"]
    names += ["∂L/∂o_t", "from the output", "from the future", "∂L/∂h_t"]
    names += [*(["∂L/∂c_t"] if lstm else []), "∂L/∂z_t"]
    for name in names:
        table.add_column(name, justify="right")
    for k in range(len(r.X)):
        carries = bool(r.S[k])
        y = ""
        if carries:
            y = str(int(report.Y[k, 0])) if r.P is not None else _vector(report.Y[k], precision)
        c_t = [_vector(r.states[1][k], precision)] if r.dC is not None else []
        dc_t = [_vector(r.dC[k], precision)] if r.dC is not None else []
        table.add_row(
            str(k + 1),
            _vector(r.Z[k], precision),
            _vector(r.H[k], precision),
            *c_t,
            _vector(r.F[k], precision),
            _vector(r.O[k], precision),
            y,
            fixed(float(r.losses[k]), precision) if carries else "",
            _vector(r.dO[k], precision),
            _vector(r.from_output[k], precision),
            _vector(r.from_future[k], precision),
            _vector(r.dH[k], precision),
            *dc_t,
            _vector(r.dZ[k], precision),
        )
    return table


def _gradient_rows(report: BackwardReport) -> list[tuple[str, str, str | None]]:
    """(label, name, gate) of each row of the gradients table: a gated cell's W_xh, W_hh
    and biases one block per gate, labelled W_xh^i, ... as gate_blocks splits them (JSON's
    "i": {"W_xh": ...}); then W_ho, b_o, h0 (and c0); an Elman cell's as they are."""
    blocks = gate_blocks(report.net, report.gradients)
    rows: list[tuple[str, str, str | None]] = []
    for key, value in blocks.items():
        if isinstance(value, dict):
            rows.extend((f"{name}^{key}", name, key) for name in value)
        else:
            rows.append((key, key, None))
    return rows


def gradients_table(report: BackwardReport, precision: int) -> Table:
    """Every gradient; beside it the one before clipping or truncation, and --check."""
    net = report.net
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
        # --check compares each parameter whole: a gated cell's every gate at once.
        gates = " (all gates)" if net.gates else ""
        table.add_column(f"finite differences: rel. error{gates}", justify="right")
    blocks = [
        gate_blocks(net, gradients) for gradients in (report.gradients, *dict(others).values())
    ]
    rows = _gradient_rows(report)
    for n, (label, name, gate) in enumerate(rows):
        gradient, *before = (block[name] if gate is None else block[gate][name] for block in blocks)
        shape = "x".join(str(n) for n in gradient.shape)
        row = [label, shape, _matrix(gradient, precision)]
        row += [_matrix(other, precision) for other in before]
        if report.check is not None:
            row.append(f"{report.check[name]:.2e}")
        last_of_gate = gate is not None and (n + 1 == len(rows) or rows[n + 1][2] != gate)
        table.add_row(*row, end_section=last_of_gate)
    return table


def flow_table(report: BackwardReport, precision: int) -> Table:
    """k = 0..T-1: how h_T depends on h_k, its bound, and the step factor J_{k+1}; an
    LSTM's c_T on c_k and the forget gates' product; --compare's norms beside."""
    flow, gated = report.flow, bool(report.net.gates)
    T = len(flow.norm)
    what = f"gradient flow back from h_{T}"
    table = Table(title=Text(_title(report, what)), title_justify="left")
    columns: list[tuple[str, list[str]]] = [
        ("k", [str(k) for k in range(T)]),
        (f"‖∂h_{T}/∂h_k‖₂", [f"{v:.{precision}e}" for v in flow.norm]),
    ]
    if flow.cell_norm is not None and flow.forget_product is not None:
        columns.append((f"‖∂c_{T}/∂c_k‖₂", [f"{v:.{precision}e}" for v in flow.cell_norm]))
        columns.append(("max Π f", [f"{v:.{precision}e}" for v in flow.forget_product]))
    if not gated:
        columns.append(("bound Π max|f'|·σ_max", [f"{v:.{precision}e}" for v in flow.bound]))
        columns.append(("max|f'(z_k+1)|", [fixed(float(v), precision) for v in flow.max_slope]))
    columns.append(("‖J_k+1‖₂", [fixed(float(v), precision) for v in flow.jacobian_norm]))
    if report.compare is not None:
        other = report.compare
        label = printable(other.net.name or other.net.cell_kind)
        columns.append(
            (f"{label}: ‖∂h_{T}/∂h_k‖₂", [f"{v:.{precision}e}" for v in other.flow.norm])
        )
        if other.flow.cell_norm is not None:
            values = [f"{v:.{precision}e}" for v in other.flow.cell_norm]
            columns.append((f"{label}: ‖∂c_{T}/∂c_k‖₂", values))
    for name, _ in columns:
        table.add_column(Text(name), justify="right")
    for k in range(T):
        table.add_row(*(values[k] for _, values in columns))
    return table


def flow_lines(report: BackwardReport, precision: int) -> list[RenderableType]:
    """ρ, σ_max and γ, the sentence on them, and the norms as a log-scale sparkline."""
    flow, net = report.flow, report.net
    with np.errstate(divide="ignore"):
        logs = np.log10(flow.norm)
    if net.gates:
        state = "(h_t, c_t)" if flow.cell_norm is not None else "h_t"
        gated: list[RenderableType] = [
            Text(f"J_t = ∂{state}/∂{state.replace('t', 't-1')}, from the cell's step back"),
            Text(report.note),
        ]
        if report.compare is not None:
            gated.append(
                Text(f"{printable(report.compare.net.name or 'compared')}: {report.compare.note}")
            )
        if len(logs):
            gated.append(Text(f"log ‖∂h_T/∂h_k‖, k = 0..{len(logs) - 1}:  {sparkline(logs)}"))
        if flow.cell_norm is not None and len(logs):
            with np.errstate(divide="ignore"):
                gated.append(Text(f"log ‖∂c_T/∂c_k‖:  {sparkline(np.log10(flow.cell_norm))}"))
        return gated
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
    if report.compare is not None:
        lines.append(
            Text(f"{printable(report.compare.net.name or 'compared')}: {report.compare.note}")
        )
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
