"""A forward pass as text for programs: csv, tsv, json and jsonl.

Never goes through rich. Every format is built from the same two pieces: `steps()`,
the result as plain Python floats step by step, and `number_text()` / JSON's float
repr, both Python's shortest round-trip text, so float(text) gives back the computed
value bit for bit and all formats carry the same values. A non-finite value is written
nan / inf / -inf in csv and tsv, and null in json and jsonl (JSON has no NaN).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

import numpy as np

from rnncli.choices import Mode, OutputFormat
from rnncli.rnn import FloatArray, Forward, Network
from rnncli.runs import Run

if TYPE_CHECKING:
    from rnncli.explain import Terms

DELIMITERS = {OutputFormat.CSV: ",", OutputFormat.TSV: "\t"}


#: The terms --explain adds to each step: of the hidden layer (H values each), and of
#: the output layer (O values each, where the step makes an output).
HIDDEN_TERMS = ("h_prev", "W_xh_x", "b_xh", "W_hh_h_prev", "b_hh", "z")
OUTPUT_TERMS = ("W_ho_h", "b_o", "o_pre")


class Step(NamedTuple):
    """One step t: x_t, h_t, o_t where the mode makes one, and the explained terms."""

    t: int
    x: list[float]
    h: list[float]
    o: list[float] | None
    terms: dict[str, list[float]] | None = None
    layers: list[list[float]] | None = None  # every layer's state, with stacked layers


def steps(result: Forward, explained: Terms | None = None, first_t: int = 1) -> Iterator[Step]:
    """Every step of the result, t = first_t.., as plain Python floats."""
    outputs = dict(zip(result.output_steps, result.O.tolist(), strict=True))
    shift = first_t - 1
    per_step = _per_step_terms(explained) if explained is not None else None
    layers = result.layers.tolist() if result.layers.shape[1] > 1 else None
    for t, (x, h) in enumerate(zip(result.X.tolist(), result.H.tolist(), strict=True), start=1):
        o = outputs.get(t)
        terms = None
        if per_step is not None:
            terms = {key: values[t - 1] for key, values in per_step.items()}
            if o is None:  # no output here, so no output terms either
                terms = {key: v for key, v in terms.items() if key not in OUTPUT_TERMS}
        layer_states = None if layers is None else layers[t - 1]
        yield Step(t=t + shift, x=x, h=h, o=o, terms=terms, layers=layer_states)


def _per_step_terms(explained: Terms) -> dict[str, list[list[float]]]:
    T = len(explained.Z)
    arrays = {
        "h_prev": explained.H_prev,
        "W_xh_x": explained.W_xh_x,
        "b_xh": np.broadcast_to(explained.b_xh, (T, len(explained.b_xh))),
        "W_hh_h_prev": explained.W_hh_h_prev,
        "b_hh": np.broadcast_to(explained.b_hh, (T, len(explained.b_hh))),
        "z": explained.Z,
    }
    if explained.W_ho_h is not None and explained.b_o is not None and explained.O_pre is not None:
        arrays["W_ho_h"] = explained.W_ho_h
        arrays["b_o"] = np.broadcast_to(explained.b_o, (T, len(explained.b_o)))
        arrays["o_pre"] = explained.O_pre
    return {key: array.tolist() for key, array in arrays.items()}


def write(
    runs: list[Run],
    net: Network,
    output_format: OutputFormat,
    out: TextIO,
    header: bool = True,
    batched: bool = False,
) -> None:
    """Write every run to `out` in a machine format (header: csv and tsv only).

    A batch names each sequence: a "seq" column or key first, and in JSON one entry of
    "sequences" each. An explained run's steps also carry their terms.
    """
    if output_format in DELIMITERS:
        write_delimited(runs, net, out, DELIMITERS[output_format], header, batched)
    elif output_format is OutputFormat.JSON:
        if batched:
            document = {
                "mode": str(runs[0].result.mode),
                "network": network_facts(net),
                "sequences": [{"id": run.id, **_run_document(run, net)} for run in runs],
            }
        else:
            document = {
                "mode": str(runs[0].result.mode),
                "network": network_facts(net),
                **_run_document(runs[0], net),
            }
        out.write(_json_text(document) + "\n")
    elif output_format is OutputFormat.JSONL:
        for run in runs:
            if _write_plain_lines(run, out, batched):
                continue
            for step in steps(run.result, run.explained, run.first_t):
                obj = step_object(step)
                out.write(_json_text({"seq": run.id, **obj} if batched else obj) + "\n")
    else:
        raise ValueError(f"{output_format} is not a machine format")


# -- csv and tsv ----------------------------------------------------------------------


def delimited_header(net: Network, explain: bool = False) -> list[str]:
    """t, x1..xI, h1..hH, o1..oO (o columns only with an output layer), then the terms.

    h holds D*H values: both directions of a bidirectional network, forward first.
    """
    header = ["t", *_numbered("x", net.input_size), *_numbered("h", net.state_size)]
    if net.has_output_layer:
        header += _numbered("o", net.output_size)
    if explain:
        for key in HIDDEN_TERMS:
            header += _numbered(key, net.hidden_size)
        if net.has_output_layer:
            for key in OUTPUT_TERMS:
                header += _numbered(key, net.output_size)
    return header


def _numbered(name: str, size: int) -> list[str]:
    return [f"{name}{i}" for i in range(1, size + 1)]


def write_delimited(
    runs: list[Run],
    net: Network,
    out: TextIO,
    delimiter: str,
    header: bool = True,
    batched: bool = False,
) -> None:
    """One LF-ended line per step; in many-to-one the o cells are empty except at t = T."""
    if header:
        names = delimited_header(net, runs[0].explained is not None)
        out.write(delimiter.join(["seq", *names] if batched else names) + "\n")
    for run in runs:
        _write_rows(run, net, out, delimiter, batched)


def _write_rows(run: Run, net: Network, out: TextIO, delimiter: str, batched: bool) -> None:
    if _write_plain_rows(run, net, out, delimiter, batched):
        return
    no_output = [""] * net.output_size
    prefix = [_id_cell(run.id, delimiter)] if batched else []
    for step in steps(run.result, run.explained, run.first_t):
        cells = [*prefix, str(step.t), *map(number_text, step.x), *map(number_text, step.h)]
        if net.has_output_layer:
            cells += no_output if step.o is None else map(number_text, step.o)
        if step.terms is not None:
            for key in HIDDEN_TERMS:
                cells += map(number_text, step.terms[key])
            if net.has_output_layer:
                for key in OUTPUT_TERMS:
                    cells += map(number_text, step.terms[key]) if key in step.terms else no_output
        out.write(delimiter.join(cells) + "\n")


def _write_plain_rows(run: Run, net: Network, out: TextIO, delimiter: str, batched: bool) -> bool:
    """The common case at speed: every row full and finite (see _row_bodies).
    Whether it could; otherwise nothing is written."""
    result = run.result
    every_step_emits = len(result.output_steps) == len(result.X)
    if run.explained is not None or (net.has_output_layer and not every_step_emits):
        return False
    parts = [result.X, result.H, result.O] if net.has_output_layer else [result.X, result.H]
    rows = np.hstack(parts)
    if not np.isfinite(rows).all():
        return False
    lines = _row_bodies(rows)
    if delimiter != ",":
        lines = "\n".join(lines).replace(",", delimiter).split("\n")
    prefix = f"{_id_cell(run.id, delimiter)}{delimiter}" if batched else ""
    first = run.first_t
    out.write("".join(f"{prefix}{t}{delimiter}{line}\n" for t, line in enumerate(lines, first)))
    return True


def _id_cell(sequence_id: object, delimiter: str) -> str:
    """A sequence's id as one cell: in "double quotes" (with "" for a quote) where it holds
    the delimiter, a quote or a line break, as CSV readers expect."""
    text = str(sequence_id)
    if any(c in text for c in (delimiter, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def _row_bodies(rows: FloatArray) -> list[str]:
    """Each row of finite `rows` as its values joined by commas, written by orjson (Ryu's
    shortest round-trip digits, as Python's repr gives, at a fraction of the cost)."""
    import orjson

    if len(rows) == 0:
        return []
    text = orjson.dumps(rows.astype(np.float64), option=orjson.OPT_SERIALIZE_NUMPY).decode()
    return text[2:-2].split("],[")


def _rows_text(rows: FloatArray) -> list[str]:
    """Each row of finite `rows` as a JSON list."""
    return [f"[{body}]" for body in _row_bodies(rows)]


def _write_plain_lines(run: Run, out: TextIO, batched: bool) -> bool:
    """jsonl at speed for the common case: one layer's states, every value finite, no
    terms. Whether it could; otherwise nothing is written."""
    result = run.result
    if run.explained is not None or result.layers.shape[1] > 1:
        return False
    if not (np.isfinite(result.H).all() and np.isfinite(result.O).all()):
        return False
    xs, hs = _rows_text(result.X), _rows_text(result.H)
    outputs = dict(zip(result.output_steps, _rows_text(result.O), strict=True))
    seq = f'"seq": {json.dumps(run.id)}, ' if batched else ""
    lines = []
    for k, (x, h) in enumerate(zip(xs, hs, strict=True)):
        o = outputs.get(k + 1)
        tail = f', "o": {o}}}' if o is not None else "}"
        lines.append(f'{{{seq}"t": {k + run.first_t}, "x": {x}, "h": {h}{tail}\n')
    out.write("".join(lines))
    return True


def number_text(value: float) -> str:
    """The shortest text that float() reads back as exactly `value` (nan, inf, -inf too)."""
    return repr(value) if math.isfinite(value) else str(value)


# -- json and jsonl -------------------------------------------------------------------


def network_facts(net: Network) -> dict[str, Any]:
    """The network as DESIGN.md's JSON names it; layers, direction and clip where set."""
    facts: dict[str, Any] = {
        "name": net.name,
        "input_size": net.input_size,
        "hidden_size": net.hidden_size,
        "output_size": net.output_size,
        "activation": str(net.activation),
        "output_activation": None if net.output_activation is None else str(net.output_activation),
    }
    if not net.is_simple:
        facts["num_layers"] = net.num_layers
        facts["direction"] = str(net.direction)
    if net.clip is not None:
        facts["clip"] = net.clip
    return facts


def step_object(step: Step) -> dict[str, Any]:
    """A JSON step: t, x, h, o where the mode makes an output, then every layer's state
    (stacked layers) and any explained terms."""
    obj: dict[str, Any] = {"t": step.t, "x": step.x, "h": step.h}
    if step.o is not None:
        obj["o"] = step.o
    if step.layers is not None:
        obj["layers"] = step.layers
    if step.terms is not None:
        obj.update(step.terms)
    return obj


def _run_document(run: Run, net: Network) -> dict[str, Any]:
    """steps, output and h_n (and explain under --explain) of one sequence."""
    result = run.result
    outputs = result.O.tolist()
    document: dict[str, Any] = {
        "steps": [step_object(step) for step in steps(result, run.explained)],
        # a vector per emitting step; many-to-one: the one vector o_T
        "output": outputs[0] if result.mode is Mode.MANY_TO_ONE else outputs,
        # the final state; with layers or two directions one per layer and direction
        "h_n": result.h_n[0].tolist() if net.is_simple else result.h_n.tolist(),
    }
    if run.explained is not None:
        difference = run.explained.formulation_2_difference
        document["explain"] = {"formulation_2_max_abs_difference": difference}
    return document


def _json_text(value: Any) -> str:
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
