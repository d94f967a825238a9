"""`rnncli backward` for programs: json (one document), jsonl (one object per step),
csv and tsv (one row per step; the gradients are in the JSON document).

Without targets the steps are k = 0..T-1 of the gradient flow. Numbers are exact
(step_values.number_text); JSON writes a non-finite value as null.
"""

from __future__ import annotations

from typing import Any, TextIO

from rnncli.cells.activations import FloatArray
from rnncli.core.gradient_flow import GradientFlow
from rnncli.core.gradients import Gradients, gate_blocks
from rnncli.option_values import LossName
from rnncli.views.backward.report import BackwardReport
from rnncli.views.json import json_text
from rnncli.views.network_facts import network_facts
from rnncli.views.step_values import number_text


def _lists(report: BackwardReport, gradients: Gradients) -> dict[str, Any]:
    """The gradients as lists; a gated cell's by gate ({"i": {"W_xh": ...}, ...})."""

    def listed(value: Any) -> Any:
        if isinstance(value, dict):
            return {name: listed(inner) for name, inner in value.items()}
        return value.tolist()

    return {name: listed(value) for name, value in gate_blocks(report.net, gradients).items()}


def _flow_rows(flow: GradientFlow, gated: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for k in range(len(flow.norm)):
        row: dict[str, Any] = {"k": k, "norm": float(flow.norm[k])}
        if flow.cell_norm is not None and flow.forget_product is not None:
            row["cell_norm"] = float(flow.cell_norm[k])
            row["forget_product"] = float(flow.forget_product[k])
        if not gated:
            row["bound"] = float(flow.bound[k])
            row["max_f_prime"] = float(flow.max_slope[k])
        row["jacobian_norm"] = float(flow.jacobian_norm[k])
        rows.append(row)
    return rows


def flow_rows(report: BackwardReport) -> list[dict[str, Any]]:
    """gradient_flow: one object per k = 0..T-1. rnn: max_f_prime and jacobian_norm are of
    the step factor J_{k+1} = diag(f'(z_{k+1})) W_hh. lstm and gru: norm is ||dh_T/dh_k||,
    lstm's cell_norm ||dc_T/dc_k|| and forget_product the forget gates' product (largest
    over the units), jacobian_norm the whole state's J_{k+1}. With --compare, the other
    network's norm (and cell_norm) as compare_norm (compare_cell_norm)."""
    rows = _flow_rows(report.flow, bool(report.net.gates))
    if report.compare is not None:
        other = report.compare.flow
        for k, row in enumerate(rows):
            if k < len(other.norm):
                row["compare_norm"] = float(other.norm[k])
                if other.cell_norm is not None:
                    row["compare_cell_norm"] = float(other.cell_norm[k])
    return rows


def step_objects(report: BackwardReport) -> list[dict[str, Any]]:
    """One object per step t: x, z, h, f'(z), o, and with targets y, the loss and every
    derivative of the backward pass."""
    r = report.result
    columns: dict[str, FloatArray] = {"x": r.X, "z": r.Z, "h": r.H}
    if r.dC is not None:
        columns["c"] = r.states[1]
    columns |= {"f_prime": r.F, "o": r.O}
    if report.has_targets:
        if r.P is not None:
            columns["p"] = r.P
        columns |= {
            "dL_do": r.dO,
            "dL_da": r.dA,
            "dL_dh_from_output": r.from_output,
            "dL_dh_from_future": r.from_future,
            "dL_dh": r.dH,
            **({} if r.dC is None else {"dL_dc": r.dC}),
            "dL_dz": r.dZ,
        }
        if report.loss is LossName.CROSS_ENTROPY or _same(r.dO, r.dA):
            del columns["dL_da"]
    lists = {key: array.tolist() for key, array in columns.items()}
    steps = []
    for k in range(len(r.X)):
        step: dict[str, Any] = {"t": k + 1}
        for key, values in lists.items():
            step[key] = values[k]
            if key == "o" and report.has_targets:
                step["y"] = _target(report, k)
                step["loss"] = float(r.losses[k]) if r.S[k] else None
        steps.append(step)
    return steps


def _same(a: FloatArray, b: FloatArray) -> bool:
    return a is b or bool((a == b).all())


def _target(report: BackwardReport, k: int) -> Any:
    """y_t as given: O numbers, or a class index; None where the step carries no loss."""
    if not report.result.S[k]:
        return None
    if report.loss is LossName.CROSS_ENTROPY:
        return int(report.Y[k, 0])
    return report.Y[k].tolist()


def backward_document(report: BackwardReport) -> dict[str, Any]:
    """The JSON document (see the README's "Backward")."""
    flow = report.flow
    document: dict[str, Any] = {"network": network_facts(report.net)}
    if report.has_targets:
        document |= {
            "mode": str(report.mode),
            "loss_function": str(report.loss),
            "loss": report.result.loss,
            "reduction": str(report.reduction),
            "scale": report.result.scale,
        }
    document["steps"] = step_objects(report)
    if report.has_targets:
        document["gradients"] = _lists(report, report.gradients)
        document["gradient_norm"] = report.gradient_norm
        if report.truncate is not None and report.full_gradients is not None:
            document["truncation"] = {
                "K": report.truncate,
                "kind": "chunked: h detached at every K steps, as PyTorch's h.detach()",
                "full_gradients": _lists(report, report.full_gradients),
            }
        if report.clipping is not None:
            clipping = report.clipping
            document["clipping"] = {
                "kind": clipping.kind,
                "limit": clipping.limit,
                "gradient_norm_before": clipping.norm_before,
                "gradients_before": _lists(report, clipping.before),
            }
    document["gradient_flow"] = _flow_rows(flow, bool(report.net.gates))
    if not report.net.gates:
        document["spectral_radius"] = flow.spectral_radius
        document["largest_singular_value"] = flow.largest_singular_value
        document["gamma"] = report.gamma
    document["note"] = report.note
    if report.compare is not None:
        other = report.compare
        document["compare"] = {
            "network": network_facts(other.net),
            "gradient_flow": _flow_rows(other.flow, bool(other.net.gates)),
            "note": other.note,
        }
    if report.check is not None:
        document["check"] = report.check
    if report.explain is not None:
        document["explain"] = report.explain
    return document


def write_backward_json(report: BackwardReport, out: TextIO) -> None:
    """The report as one JSON document."""
    out.write(json_text(backward_document(report)) + "\n")


def write_backward_jsonl(report: BackwardReport, out: TextIO) -> None:
    """The report's steps (the gradient flow without targets), one object a line."""
    rows = step_objects(report) if report.has_targets else flow_rows(report)
    out.write("".join(json_text(row) + "\n" for row in rows))


def write_backward_delimited(
    report: BackwardReport, out: TextIO, delimiter: str, header: bool = True
) -> None:
    """The report's steps (the gradient flow without targets), one row each."""
    rows = step_objects(report) if report.has_targets else flow_rows(report)
    names = columns(rows)
    if header:
        out.write(delimiter.join(name for name, _ in names) + "\n")
    for row in rows:
        out.write(delimiter.join(_cell(row, key, index) for _, (key, index) in names) + "\n")


def columns(rows: list[dict[str, Any]]) -> list[tuple[str, tuple[str, int | None]]]:
    """Column names for the rows' keys: a key holding a list of N gives key1..keyN."""
    widths: dict[str, int | None] = {}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, list):
                widths[key] = len(value)
            else:
                widths.setdefault(key, None)
    names: list[tuple[str, tuple[str, int | None]]] = []
    for key, width in widths.items():
        if width is None:
            names.append((key, (key, None)))
        else:
            names += [(f"{key}{i + 1}", (key, i)) for i in range(width)]
    return names


def _cell(row: dict[str, Any], key: str, index: int | None) -> str:
    value = row[key]
    if index is not None:
        value = None if value is None else value[index]
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else number_text(float(value))
