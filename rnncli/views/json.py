"""A forward pass as json (one document) or jsonl (one object per step).

JSON has no NaN or Infinity: a non-finite value is written null.
"""

from __future__ import annotations

import json
import math
from typing import Any, TextIO

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.option_values import Mode
from rnncli.views.network_facts import network_facts
from rnncli.views.step_values import Step, row_bodies, steps


def write_json(runs: list[Run], net: Network, out: TextIO, batched: bool = False) -> None:
    """One document: the mode, the network, then the run's steps, output and h_n; a batch
    gives one entry of "sequences" each, named by its "id"."""
    head = {"mode": str(runs[0].result.mode), "network": network_facts(net)}
    if runs[0].input_names is not None:
        head["input_names"] = list(runs[0].input_names)
    if batched:
        sequences = [{"id": run.id, **_run_document(run, net)} for run in runs]
        document = {**head, "sequences": sequences}
    else:
        document = {**head, **_run_document(runs[0], net)}
    out.write(json_text(document) + "\n")


def write_jsonl(runs: list[Run], out: TextIO, batched: bool = False) -> None:
    """One object per step, as json's steps; a batch names each sequence in "seq" first."""
    for run in runs:
        if _write_plain_lines(run, out, batched):
            continue
        for step in steps(run.result, run.explained, run.first_t, run.kept):
            obj = step_object(step)
            out.write(json_text({"seq": run.id, **obj} if batched else obj) + "\n")


def step_object(step: Step) -> dict[str, Any]:
    """A JSON step: t, the kept cells as "keep" (by name), x, h, an LSTM's c, o where the
    mode makes an output, then every layer's state (stacked layers) and any explained
    terms (an LSTM's or GRU's gates last)."""
    obj: dict[str, Any] = {"t": step.t}
    if step.keep is not None:
        obj["keep"] = step.keep
    obj.update(x=step.x, h=step.h)
    if step.c is not None:
        obj["c"] = step.c
    if step.o is not None:
        obj["o"] = step.o
    if step.layers is not None:
        obj["layers"] = step.layers
    if step.terms is not None:
        obj.update(step.terms)
    if step.gates is not None:
        obj["gates"] = step.gates
    return obj


def _run_document(run: Run, net: Network) -> dict[str, Any]:
    """steps, output and h_n (and explain under --explain) of one sequence."""
    result = run.result
    outputs = result.O.tolist()
    document: dict[str, Any] = {
        "steps": [
            step_object(step) for step in steps(result, run.explained, run.first_t, kept=run.kept)
        ],
        # a vector per emitting step; many-to-one: the one vector o_T
        "output": outputs[0] if result.mode is Mode.MANY_TO_ONE else outputs,
        # the final state; with layers or two directions one per layer and direction
        "h_n": result.h_n[0].tolist() if net.is_simple else result.h_n.tolist(),
    }
    if result.c_n is not None:  # an LSTM's final cell states, laid out as h_n
        document["c_n"] = result.c_n[0].tolist() if net.is_simple else result.c_n.tolist()
    if run.explained is not None:
        difference = run.explained.formulation_2_difference
        document["explain"] = {"formulation_2_max_abs_difference": difference}
    return document


def _write_plain_lines(run: Run, out: TextIO, batched: bool) -> bool:
    """jsonl at speed for the common case: one layer's states, every value finite, no
    terms. Whether it could; otherwise nothing is written."""
    result = run.result
    if run.explained is not None or result.layers.shape[1] > 1 or run.kept is not None:
        return False
    C = result.C
    if not (
        np.isfinite(result.H).all()
        and np.isfinite(result.O).all()
        and (C is None or np.isfinite(C).all())
    ):
        return False
    xs, hs = _rows_text(result.X), _rows_text(result.H)
    cs = [""] * len(hs) if C is None else [f', "c": {c}' for c in _rows_text(C)]
    outputs = dict(zip(result.output_steps, _rows_text(result.O), strict=True))
    seq = f'"seq": {json.dumps(run.id)}, ' if batched else ""
    lines = []
    for k, (x, h, c) in enumerate(zip(xs, hs, cs, strict=True)):
        o = outputs.get(k + 1)
        tail = f', "o": {o}}}' if o is not None else "}"
        lines.append(f'{{{seq}"t": {k + run.first_t}, "x": {x}, "h": {h}{c}{tail}\n')
    out.write("".join(lines))
    return True


def _rows_text(rows: FloatArray) -> list[str]:
    """Each row of finite `rows` as a JSON list."""
    return [f"[{body}]" for body in row_bodies(rows)]


def json_text(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False)
    except ValueError:  # a NaN or an Infinity somewhere: the rare case pays the walk
        return json.dumps(_finite_or_null(value), allow_nan=False, ensure_ascii=False)


def _finite_or_null(value: Any) -> Any:
    """JSON has no NaN or Infinity: such a value becomes null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite_or_null(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite_or_null(item) for key, item in value.items()}
    return value
