"""A ModelForm as the state_dict of a PyTorch module with `rnn` (nn.RNN) and `fc`
(nn.Linear), in a safetensors file; what torch cannot hold goes in its metadata.

    rnn.weight_ih_l{k}{_reverse} = W_xh    rnn.bias_ih_l{k}{_reverse} = b_xh
    rnn.weight_hh_l{k}{_reverse} = W_hh    rnn.bias_hh_l{k}{_reverse} = b_hh
    fc.weight = W_ho                       fc.bias = b_o

The metadata (`rnncli.`-prefixed, read back by torch_state) holds the activations, the
bias form, h0 and the name. The arrays are float64, so the round trip is exact; torch's
load_state_dict casts them to a float32 module's dtype.
"""

from __future__ import annotations

import json

import numpy as np

from rnncli.activations import Activation
from rnncli.errors import RnnCliError
from rnncli.model_form import ModelForm
from rnncli.option_values import Direction
from rnncli.safetensors_io import safetensors_bytes
from rnncli.torch_state import META


def state_dict_bytes(form: ModelForm) -> bytes:
    """The safetensors file of `form`'s state_dict (see the module)."""
    if form.direction is Direction.REVERSE:
        raise RnnCliError("PyTorch's nn.RNN cannot run reverse only; export to ONNX instead")
    if form.clip is not None:
        raise RnnCliError("PyTorch's nn.RNN has no clip; export to ONNX instead")
    if form.activation.name not in ("tanh", "relu"):
        raise RnnCliError(
            f"PyTorch's nn.RNN runs tanh or relu, not {form.activation}; export to ONNX instead"
        )
    tensors: dict[str, np.ndarray] = {}
    for k, cells in enumerate(form.layers):
        for d, cell in enumerate(cells):
            suffix = f"_l{k}" + ("_reverse" if d else "")
            tensors[f"rnn.weight_ih{suffix}"] = cell.W_x
            tensors[f"rnn.weight_hh{suffix}"] = cell.W_h
            if cell.bias != "none":
                tensors[f"rnn.bias_ih{suffix}"] = cell.b_x
                tensors[f"rnn.bias_hh{suffix}"] = cell.b_h
    metadata = {META + "cell": "rnn", META + "activation": _activation_json(form.activation)}
    biases = {c.bias for cells in form.layers for c in cells}
    if biases == {"one"}:
        metadata[META + "bias"] = "one"
    if form.W_o is not None and form.b_o is not None:
        tensors["fc.weight"], tensors["fc.bias"] = form.W_o, form.b_o
        if form.output_activation is not None:
            metadata[META + "output_activation"] = _activation_json(form.output_activation)
    if form.h0 is not None and np.any(form.h0):
        metadata[META + "h0"] = json.dumps(form.h0.tolist())
    if form.name is not None:
        metadata[META + "name"] = form.name
    return safetensors_bytes(
        {k: np.asarray(v, dtype=np.float64) for k, v in tensors.items()}, metadata
    )


def _activation_json(activation: Activation) -> str:
    return json.dumps({"name": activation.name, **activation.parameters})
