"""A ModelForm as the state_dict of a PyTorch module with `rnn` (nn.RNN, nn.LSTM or
nn.GRU) and `fc` (nn.Linear), in a safetensors file; what torch cannot hold goes in its
metadata.

    rnn.weight_ih_l{k}{_reverse} = W_xh    rnn.bias_ih_l{k}{_reverse} = b_xh
    rnn.weight_hh_l{k}{_reverse} = W_hh    rnn.bias_hh_l{k}{_reverse} = b_hh
    rnn.weight_hr_l{k}{_reverse} = W_hr    (an LSTM with proj_size)
    fc.weight = W_ho                       fc.bias = b_o

An LSTM's and a GRU's gate blocks are stacked in PyTorch's order already (i, f, g, o;
r, z, n). What nn.LSTM and nn.GRU cannot run is refused: other activations, a clip,
peepholes, input_forget, a reset-before GRU.

The metadata (`rnncli.`-prefixed, read back by models.torch.state_dict) holds the activations, the
bias form, h0 and the name. The arrays are float64, so the round trip is exact; torch's
load_state_dict casts them to a float32 module's dtype.
"""

from __future__ import annotations

import json

import numpy as np

from rnncli.cells.activations import Activation
from rnncli.errors import RnnCliError
from rnncli.models.form import ModelForm
from rnncli.models.torch.safetensors import safetensors_bytes
from rnncli.models.torch.state_dict import META
from rnncli.option_values import Direction


def state_dict_bytes(form: ModelForm) -> bytes:
    """The safetensors file of `form`'s state_dict (see the module)."""
    module = {"rnn": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}[form.cell]
    options = form.options
    if form.direction is Direction.REVERSE:
        raise RnnCliError(f"PyTorch's {module} cannot run reverse only; export to ONNX instead")
    if options.clip is not None:
        raise RnnCliError(f"PyTorch's {module} cannot run a clip; export to ONNX instead")
    if form.cell == "rnn" and options.activation.name not in ("tanh", "relu"):
        raise RnnCliError(
            f"PyTorch's nn.RNN runs tanh or relu, not {options.activation}; export to ONNX instead"
        )
    if form.cell != "rnn":
        _check_gated(form, module)
    tensors: dict[str, np.ndarray] = {}
    for k, cells in enumerate(form.layers):
        for d, cell in enumerate(cells):
            suffix = f"_l{k}" + ("_reverse" if d else "")
            tensors[f"rnn.weight_ih{suffix}"] = cell.W_x
            tensors[f"rnn.weight_hh{suffix}"] = cell.W_h
            if cell.W_hr is not None:
                tensors[f"rnn.weight_hr{suffix}"] = cell.W_hr
            if cell.bias != "none":
                tensors[f"rnn.bias_ih{suffix}"] = cell.b_x
                tensors[f"rnn.bias_hh{suffix}"] = cell.b_h
    metadata = {
        META + "cell": form.cell,
        META + "activation": _activation_json(options.activation),
    }
    biases = {c.bias for cells in form.layers for c in cells}
    if biases == {"one"}:
        metadata[META + "bias"] = "one"
    if form.W_o is not None and form.b_o is not None:
        tensors["fc.weight"], tensors["fc.bias"] = form.W_o, form.b_o
        if form.output_activation is not None:
            metadata[META + "output_activation"] = _activation_json(form.output_activation)
    for key, state in (("h0", form.h0), ("c0", form.c0)):
        if state is not None and np.any(state):
            metadata[META + key] = json.dumps(state.tolist())
    if form.name is not None:
        metadata[META + "name"] = form.name
    return safetensors_bytes(
        {k: np.asarray(v, dtype=np.float64) for k, v in tensors.items()}, metadata
    )


def _activation_json(activation: Activation) -> str:
    return json.dumps({"name": activation.name, **activation.parameters})


def _check_gated(form: ModelForm, module: str) -> None:
    """A refusal, by name, of what nn.LSTM or nn.GRU cannot run."""
    options, refused = form.options, []
    if options.activation.name != "tanh":
        refused.append(f"the activation {options.activation} (it runs tanh)")
    if options.recurrent_activation.name != "sigmoid":
        refused.append(f"the recurrent_activation {options.recurrent_activation} (it runs sigmoid)")
    if options.state_activation is not None and options.state_activation.name != "tanh":
        refused.append(f"the state_activation {options.state_activation} (it runs tanh)")
    if options.input_forget:
        refused.append("input_forget (f = 1 - i)")
    if any(c.peepholes is not None for cells in form.layers for c in cells):
        refused.append("peepholes")
    if form.cell == "gru" and not options.reset_after:
        refused.append("reset_after: false (it resets after W_hh^n)")
    if refused:
        raise RnnCliError(
            f"PyTorch's {module} cannot run {'; '.join(refused)}; export to ONNX instead"
        )
