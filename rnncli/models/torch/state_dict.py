"""A PyTorch state_dict (from a `.pt` or a `.safetensors` file) as a ModelForm.

nn.RNN's parameters are `{prefix}weight_ih_l{k}{sfx}`, `weight_hh_l{k}{sfx}`,
`bias_ih_l{k}{sfx}` and `bias_hh_l{k}{sfx}` (sfx `_reverse` for the second direction),
already in rnncli's orientation: W_xh = weight_ih (H x I), W_hh = weight_hh (H x H).
nn.LSTM and nn.GRU hold the same names with their gates' blocks stacked in the order
rnncli keeps (lstm i, f, g, o: 4H rows; gru r, z, n: 3H rows), and an LSTM with
proj_size P adds `weight_hr_l{k}` (P x H; then weight_hh is 4H x P). The kind is told
by the rows of weight_hh over H (1, 3 or 4), H being weight_hh's columns, or weight_hr's
when there is one. The prefix is the module's path (`rnn.`, `module.rnn.`, or none).
An nn.Linear after it, `{head}.weight` (O x D*H) and `{head}.bias`, is found by its
shape or named by the user. What torch cannot hold (the activation, the output
activation, h0, c0) is read from
rnncli's own safetensors metadata, under `rnncli.`-prefixed names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from rnncli.cells.activations import Activation
from rnncli.cells.kinds import CellOptions
from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_MODEL_DEPTH
from rnncli.models.bounds import model_json
from rnncli.models.form import DirectionWeights, ModelForm, checked_array
from rnncli.option_values import ACTIVATIONS, Direction, canonical_activation

_PARAMETER = re.compile(r"^(.*?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$")
#: The metadata keys rnncli writes beside a state_dict.
META = "rnncli."


def flat_tensors(loaded: dict[str, Any], source: str = "") -> dict[str, Any]:
    """`{"model": {"rnn.weight_ih_l0": t}}` as `{"model.rnn.weight_ih_l0": t}`: a
    checkpoint holding the state_dict among other things is read all the same. Walked
    without recursion; dicts nested deeper than MAX_MODEL_DEPTH are an error."""
    flat: dict[str, Any] = {}
    stack: list[tuple[Iterator[tuple[Any, Any]], str]] = [(iter(loaded.items()), "")]
    while stack:
        items, prefix = stack[-1]
        entry = next(items, None)
        if entry is None:
            stack.pop()
            continue
        key, value = entry
        if isinstance(value, dict):
            if len(stack) >= MAX_MODEL_DEPTH:
                raise RnnCliError(
                    f"{source}: its dicts nest more than {MAX_MODEL_DEPTH} levels deep"
                )
            stack.append((iter(value.items()), f"{prefix}{key}."))
        elif isinstance(value, np.ndarray):
            flat[f"{prefix}{key}"] = value
    return flat


def state_dict_form(
    tensors: dict[str, Any],
    metadata: dict[str, str],
    source: str,
    file_format: str,
    activation: Activation | None = None,
    output_layer: str | None = None,
) -> ModelForm:
    """The model in the state_dict `tensors`; see the module for the names read."""
    found: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
    for key, value in tensors.items():
        match = _PARAMETER.match(key)
        if match:
            prefix, kind, k, reverse = match.groups()
            slot = found.setdefault(prefix, {}).setdefault((int(k), 1 if reverse else 0), {})
            slot[kind] = checked_array(source, key, value)
    if not found:
        raise RnnCliError(
            f"{source}: holds no nn.RNN, nn.LSTM or nn.GRU parameters (weight_ih_l0, ...)"
        )
    if len(found) > 1:
        names = ", ".join(repr(p.rstrip(".")) or "''" for p in sorted(found))
        raise RnnCliError(f"{source}: holds more than one recurrent module ({names})")
    ((prefix, slots),) = found.items()
    L = max(k for k, _ in slots) + 1
    D = 2 if any(d for _, d in slots) else 1
    layers: list[list[DirectionWeights]] = []
    kinds: list[str] = []
    for k in range(L):
        cells = []
        for d in range(D):
            where = f"{prefix}*_l{k}{'_reverse' if d else ''}"
            slot = slots.get((k, d), {})
            if "weight_ih" not in slot or "weight_hh" not in slot:
                raise RnnCliError(f"{source}: {where}: weight_ih and weight_hh are missing")
            W_x, W_h, W_hr = slot["weight_ih"], slot["weight_hh"], slot.get("weight_hr")
            kind = _cell_kind(source, where, W_x, W_h, W_hr)
            if kinds and kind != kinds[0]:
                raise RnnCliError(
                    f"{source}: {where}: is an {kind}, the layer before an {kinds[0]}"
                )
            kinds.append(kind)
            H = W_h.shape[0]  # G*H rows
            has_bias = "bias_ih" in slot or "bias_hh" in slot
            if has_bias and ("bias_ih" not in slot or "bias_hh" not in slot):
                raise RnnCliError(
                    f"{source}: {where}: holds one of bias_ih and bias_hh without the other"
                )
            b_x = slot.get("bias_ih", np.zeros(H))
            b_h = slot.get("bias_hh", np.zeros(H))
            bias = _metadata_bias(metadata, source) if has_bias else "none"
            cells.append(DirectionWeights(W_x, W_h, b_x, b_h, bias, W_hr=W_hr))
        layers.append(cells)
    form = ModelForm(
        source=source,
        format=file_format,
        layers=layers,
        direction=Direction.BIDIRECTIONAL if D == 2 else Direction.FORWARD,
        options=CellOptions(
            activation=activation
            or _metadata_activation(metadata, "activation", source)
            or Activation("tanh")
        ),
        name=metadata.get(META + "name"),
        cell=kinds[0],
        notes=[
            f"{file_format}: the {prefix.rstrip('.') or 'top-level'} module's weight_ih, "
            "weight_hh, bias_ih, bias_hh taken as W_xh, W_hh, b_xh, b_hh (same orientation"
            + {"rnn": ")", "lstm": ", gates i, f, g, o)", "gru": ", gates r, z, n)"}[kinds[0]]
        ],
    )
    if layers[0][0].W_hr is not None:
        form.notes.append(f"{file_format}: nn.LSTM's weight_hr (proj_size) taken as W_hr")
    _read_head(form, tensors, prefix, output_layer, D * layers[0][0].W_h.shape[1])
    if form.W_o is not None:
        form.output_activation = _metadata_activation(metadata, "output_activation", source)
    for key in ("h0", "c0"):
        if META + key in metadata:
            value = _metadata_json(metadata, key, source)
            try:
                state = np.asarray(value, dtype=np.float64)
            except (ValueError, TypeError):
                raise RnnCliError(f"{source}: metadata {META}{key} is not a matrix") from None
            setattr(form, key, checked_array(source, key, state))
    return form


def _cell_kind(source: str, where: str, W_x: Any, W_h: Any, W_hr: Any | None) -> str:
    """rnn, gru or lstm: weight_hh's rows are G*H, G = 1, 3 or 4 (see the module)."""
    if W_x.ndim != 2 or W_h.ndim != 2 or (W_hr is not None and W_hr.ndim != 2):
        raise RnnCliError(f"{source}: {where}: weight_ih and weight_hh must be matrices")
    H = W_hr.shape[1] if W_hr is not None else W_h.shape[1]
    G = W_h.shape[0] // H if H and W_h.shape[0] % H == 0 else 0
    kind = {1: "rnn", 3: "gru", 4: "lstm"}.get(G)
    if kind is None or (W_hr is not None and kind != "lstm"):
        raise RnnCliError(
            f"{source}: {where}: weight_hh is {'x'.join(map(str, W_h.shape))}; expected "
            "H x H (an nn.RNN), 3H x H (an nn.GRU) or 4H x H (an nn.LSTM)"
        )
    return kind


def _metadata_json(metadata: dict[str, str], key: str, source: str) -> Any:
    return model_json(metadata[META + key], f"{source}: metadata {META}{key}")


def _metadata_bias(metadata: dict[str, str], source: str) -> str:
    bias = metadata.get(META + "bias", "two")
    if bias not in ("two", "one"):
        raise RnnCliError(f"{source}: metadata {META}bias is {bias!r}, expected two or one")
    return bias


def _metadata_activation(metadata: dict[str, str], key: str, source: str = "") -> Activation | None:
    if META + key not in metadata:
        return None
    spec = _metadata_json(metadata, key, source)
    name = spec.get("name") if isinstance(spec, dict) else None
    alpha, beta = (spec.get(k) if isinstance(spec, dict) else None for k in ("alpha", "beta"))
    if (
        not isinstance(name, str)
        or canonical_activation(name) not in ACTIVATIONS
        or not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
            for v in (alpha, beta)
        )
    ):
        raise RnnCliError(
            f"{source}: metadata {META}{key} is not an activation rnncli knows "
            '({"name": ..., "alpha": ..., "beta": ...})'
        )
    return Activation.named(name, alpha, beta)


def _read_head(
    form: ModelForm, tensors: dict[str, Any], prefix: str, named: str | None, state_size: int
) -> None:
    """The nn.Linear after the recurrent module: `named`, else the one that fits."""
    if named is not None:
        head = named.rstrip(".")
        if f"{head}.weight" not in tensors:
            heads = sorted(k[: -len(".weight")] for k in tensors if k.endswith(".weight"))
            raise form.error(
                f"--output-layer {named}: no {head}.weight; the layers are: "
                + (", ".join(heads) or "none")
            )
    else:
        fits = [
            key[: -len(".weight")]
            for key, value in tensors.items()
            if (key.endswith(".weight") or key == "weight")
            and not _PARAMETER.match(key)
            and getattr(value, "ndim", 0) == 2
            and value.shape[1] == state_size
        ]
        if not fits:
            return
        if len(fits) > 1:
            raise form.error(
                f"more than one layer could be the output layer ({', '.join(fits)}); "
                "name it with --output-layer"
            )
        head = fits[0]
    key = f"{head}.weight" if head else "weight"
    form.W_o = checked_array(form.source, key, tensors[key])
    bias_key = f"{head}.bias" if head else "bias"
    if bias_key in tensors:
        form.b_o = checked_array(form.source, bias_key, tensors[bias_key])
    form.notes.append(f"{form.format}: {head}.weight and {head}.bias taken as W_ho and b_o")
