"""A network's state in a file: `--h0` reads it, `--save-state` writes it.

The file is {"h0": [[...], ...]}, one state per layer and direction; an LSTM's has its
cell states "c0" beside it; and "scale": {"mean": [...], "std": [...]} follows when the
run that saved it scaled its inputs by --standardize or by an earlier state file: the
next piece of the stream is then scaled as the first was.
"""

from __future__ import annotations

import json
import math
import os
from typing import NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.core.input_scale import Scale
from rnncli.core.network import Network
from rnncli.decimal_numbers import decimal
from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_CONFIG_BYTES, decode_text, read_bytes, source_name
from rnncli.io.output_files import output_stream
from rnncli.message_words import counted, shown
from rnncli.pipelines.forward_request import usage_error


class GivenState(NamedTuple):
    """What --h0 gave: h0, an LSTM's c0 and a saved scale (None: the network's own)."""

    h0: FloatArray | None = None
    c0: FloatArray | None = None
    scale: Scale | None = None


def initial_state(text: str | None, net: Network) -> GivenState:
    """--h0: numbers "v1,v2,..." (L*D*H of them), or a file that --save-state wrote."""
    if text is None:
        return GivenState()
    expected = net.h0.size
    if os.path.exists(text):
        values, c0, scale = _state_file(text, net)
    elif text.endswith(".json") or os.sep in text:
        raise RnnCliError(f"{text}: no such file (expected a state file from --save-state)")
    else:
        parsed = [decimal(value.strip()) for value in text.split(",")]
        if any(value is None or not math.isfinite(value) for value in parsed):
            raise usage_error(
                "--h0",
                "expected finite numbers separated by commas, like 0.5,-0.1, or a file "
                f"--save-state wrote; got {shown(text)}",
            )
        values, c0, scale = [value for value in parsed if value is not None], None, None
    if len(values) != expected:
        units = counted(net.hidden_size, "hidden unit")
        if expected != net.hidden_size:
            units += f" in each of {net.h0.shape[0]} layers and directions"
        raise usage_error("--h0", f"has {counted(len(values), 'value')}; the network has {units}")
    return GivenState(np.array(values, dtype=np.float64).reshape(net.h0.shape), c0, scale)


def _state_file(path: str, net: Network) -> tuple[list[float], FloatArray | None, Scale | None]:
    """The numbers of a state file as --save-state writes it: h0, one state of H per
    layer and direction of this network; an LSTM's c0; the saved scale."""
    source = source_name(path)
    count, H = net.h0.shape
    sizes = {"h0": H} if net.c0 is None else {"h0": H, "c0": net.cell_size}
    if net.c0 is None:
        expected = f'{{"h0": [...]}} with {count} list(s) of {H} numbers, as --save-state writes'
    else:
        expected = (
            f'{{"h0": [...], "c0": [...]}} with {count} list(s) of {H} and of '
            f"{net.cell_size} numbers, as --save-state writes"
        )
    try:
        document = json.loads(decode_text(read_bytes(path, "state", MAX_CONFIG_BYTES), source))
    except (ValueError, RecursionError):
        raise RnnCliError(f"{source}: not a state file; expected {expected}") from None
    found = []
    for key, size in sizes.items():
        rows = document.get(key) if isinstance(document, dict) else None
        if (
            not isinstance(rows, list)
            or len(rows) != count
            or not all(isinstance(row, list) and len(row) == size for row in rows)
            or not all(_is_number(v) for row in rows for v in row)
        ):
            raise RnnCliError(f"{source}: not a state of this network; expected {expected}")
        values = [float(v) for row in rows for v in row]
        if not all(math.isfinite(v) for v in values):
            raise RnnCliError(f"{source}: the state holds a value that is not finite")
        found.append(values)
    c0 = None if len(found) == 1 else np.array(found[1]).reshape(count, net.cell_size)
    return found[0], c0, _saved_scale(document, source, net.input_size)


def _saved_scale(document: dict[str, object], source: str, I: int) -> Scale | None:
    """The file's "scale": {"mean": [...], "std": [...]}, I numbers each, std > 0."""
    if "scale" not in document:
        return None
    saved = document["scale"]
    lists = [saved.get(key) if isinstance(saved, dict) else None for key in ("mean", "std")]
    if not all(
        isinstance(values, list) and len(values) == I and all(_is_number(v) for v in values)
        for values in lists
    ):
        raise RnnCliError(
            f'{source}: "scale" is not one of this network: expected '
            f'{{"mean": [...], "std": [...]}} with {I} numbers each'
        )
    mean, std = (np.array(values, dtype=np.float64) for values in lists)
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise RnnCliError(f'{source}: "scale" needs finite numbers, and every std > 0')
    return Scale(mean=mean, std=std)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def save_state(
    path: str, h_n: FloatArray, c_n: FloatArray | None, scale: Scale | None = None
) -> None:
    """Write the final state of every layer and direction (a Forward's h_n and, for an
    LSTM, c_n), for --h0 to read back: {"h0": [...]}, an LSTM's cell states as "c0"
    beside it, and the scale the inputs were read with (None: not scaled, or by the
    config)."""
    finals = {"h0": h_n} if c_n is None else {"h0": h_n, "c0": c_n}
    if not all(np.isfinite(values).all() for values in finals.values()):
        raise RnnCliError(f"{path}: not written: the final state is not finite")
    document: dict[str, object] = {
        key: values.astype(np.float64).tolist() for key, values in finals.items()
    }
    if scale is not None:
        document["scale"] = scale.as_lists()
    with output_stream(path) as out:
        out.write(json.dumps(document) + "\n")
