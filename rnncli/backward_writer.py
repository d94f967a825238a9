"""`rnncli backward` for programs: json (one document), jsonl (one object per step),
csv and tsv (one row per step; the gradients are in the JSON document).

Without targets the steps are k = 0..T-1 of the gradient flow. Numbers are exact
(step_values.number_text); JSON writes a non-finite value as null.
"""

from __future__ import annotations

from typing import Any, TextIO

from rnncli.activations import FloatArray
from rnncli.backward import Gradients
from rnncli.backward_report import BackwardReport
from rnncli.json_writer import json_text
from rnncli.network_facts import network_facts
from rnncli.option_values import LossName, OutputFormat
from rnncli.step_values import number_text

DELIMITERS = {OutputFormat.CSV: ",", OutputFormat.TSV: "\t"}


def _lists(gradients: Gradients) -> dict[str, Any]:
    return {name: g.tolist() for name, g in gradients.items()}


def flow_rows(report: BackwardReport) -> list[dict[str, Any]]:
    """gradient_flow: one object per k = 0..T-1; max_f_prime and jacobian_norm are of
    the step factor J_{k+1} = diag(f'(z_{k+1})) W_hh."""
    flow = report.flow
    return [
        {
            "k": k,
            "norm": float(flow.norm[k]),
            "bound": float(flow.bound[k]),
            "max_f_prime": float(flow.max_slope[k]),
            "jacobian_norm": float(flow.jacobian_norm[k]),
        }
        for k in range(len(flow.norm))
    ]


def step_objects(report: BackwardReport) -> list[dict[str, Any]]:
    """One object per step t: x, z, h, f'(z), o, and with targets y, the loss and every
    derivative of the backward pass."""
    r = report.result
    columns: dict[str, FloatArray] = {"x": r.X, "z": r.Z, "h": r.H, "f_prime": r.F, "o": r.O}
    if report.has_targets:
        if r.P is not None:
            columns["p"] = r.P
        columns |= {
            "dL_do": r.dO,
            "dL_da": r.dA,
            "dL_dh_from_output": r.from_output,
            "dL_dh_from_future": r.from_future,
            "dL_dh": r.dH,
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
        document["gradients"] = _lists(report.gradients)
        document["gradient_norm"] = report.gradient_norm
        if report.truncate is not None and report.full_gradients is not None:
            document["truncation"] = {
                "K": report.truncate,
                "kind": "chunked: h detached at every K steps, as PyTorch's h.detach()",
                "full_gradients": _lists(report.full_gradients),
            }
        if report.clipping is not None:
            clipping = report.clipping
            document["clipping"] = {
                "kind": clipping.kind,
                "limit": clipping.limit,
                "gradient_norm_before": clipping.norm_before,
                "gradients_before": _lists(clipping.before),
            }
    document["gradient_flow"] = flow_rows(report)
    document["spectral_radius"] = flow.spectral_radius
    document["largest_singular_value"] = flow.largest_singular_value
    document["gamma"] = report.gamma
    if report.check is not None:
        document["check"] = report.check
    if report.explain is not None:
        document["explain"] = report.explain
    return document


def write_backward(
    report: BackwardReport, output_format: OutputFormat, out: TextIO, header: bool = True
) -> None:
    """Write the report in a machine format."""
    if output_format is OutputFormat.JSON:
        out.write(json_text(backward_document(report)) + "\n")
        return
    rows = step_objects(report) if report.has_targets else flow_rows(report)
    if output_format is OutputFormat.JSONL:
        out.write("".join(json_text(row) + "\n" for row in rows))
        return
    delimiter = DELIMITERS[output_format]
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
