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
from dataclasses import dataclass
from typing import Any, TextIO

from rnncli.choices import Mode, OutputFormat
from rnncli.rnn import Forward, Network

DELIMITERS = {OutputFormat.CSV: ",", OutputFormat.TSV: "\t"}


@dataclass(frozen=True)
class Step:
    """One step t with its x_t, h_t and, where the mode makes one, o_t."""

    t: int
    x: list[float]
    h: list[float]
    o: list[float] | None


def steps(result: Forward) -> Iterator[Step]:
    """Every step of the result, t = 1..T, as plain Python floats."""
    outputs = dict(zip(result.output_steps, result.O.tolist(), strict=True))
    for t, (x, h) in enumerate(zip(result.X.tolist(), result.H.tolist(), strict=True), start=1):
        yield Step(t=t, x=x, h=h, o=outputs.get(t))


def write(
    result: Forward, net: Network, output_format: OutputFormat, out: TextIO, header: bool = True
) -> None:
    """Write the whole result to `out` in a machine format (header: csv and tsv only)."""
    if output_format in DELIMITERS:
        write_delimited(result, net, out, DELIMITERS[output_format], header)
    elif output_format is OutputFormat.JSON:
        out.write(_json_text(to_document(result, net)) + "\n")
    elif output_format is OutputFormat.JSONL:
        for step in steps(result):
            out.write(_json_text(step_object(step)) + "\n")
    else:
        raise ValueError(f"{output_format} is not a machine format")


# -- csv and tsv ----------------------------------------------------------------------


def delimited_header(net: Network) -> list[str]:
    """t, x1..xI, h1..hH, o1..oO (o columns only with an output layer)."""
    header = ["t"]
    header += [f"x{i}" for i in range(1, net.input_size + 1)]
    header += [f"h{i}" for i in range(1, net.hidden_size + 1)]
    if net.has_output_layer:
        header += [f"o{i}" for i in range(1, net.output_size + 1)]
    return header


def write_delimited(
    result: Forward, net: Network, out: TextIO, delimiter: str, header: bool = True
) -> None:
    """One LF-ended line per step; in many-to-one the o cells are empty except at t = T."""
    if header:
        out.write(delimiter.join(delimited_header(net)) + "\n")
    no_output = [""] * net.output_size
    for step in steps(result):
        cells = [str(step.t), *map(number_text, step.x), *map(number_text, step.h)]
        if net.has_output_layer:
            cells += no_output if step.o is None else map(number_text, step.o)
        out.write(delimiter.join(cells) + "\n")


def number_text(value: float) -> str:
    """The shortest text that float() reads back as exactly `value` (nan, inf, -inf too)."""
    return repr(value) if math.isfinite(value) else str(value)


# -- json and jsonl -------------------------------------------------------------------


def network_facts(net: Network) -> dict[str, Any]:
    return {
        "name": net.name,
        "input_size": net.input_size,
        "hidden_size": net.hidden_size,
        "output_size": net.output_size,
        "activation": net.activation,
        "output_activation": net.output_activation,
    }


def step_object(step: Step) -> dict[str, Any]:
    """A JSON step: t, x, h, and o where the mode makes an output."""
    obj: dict[str, Any] = {"t": step.t, "x": step.x, "h": step.h}
    if step.o is not None:
        obj["o"] = step.o
    return obj


def to_document(result: Forward, net: Network) -> dict[str, Any]:
    """The JSON document of DESIGN.md, with Python floats."""
    outputs = result.O.tolist()
    return {
        "mode": str(result.mode),
        "network": network_facts(net),
        "steps": [step_object(step) for step in steps(result)],
        # many-to-many: a vector per step; many-to-one: the one vector o_T
        "output": outputs if result.mode is Mode.MANY_TO_MANY else outputs[0],
        "h_n": result.H[-1].tolist(),
    }


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
