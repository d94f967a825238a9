"""A Keras 3 model (`.keras`, legacy `.h5`) as a ModelForm, read from its JSON and HDF5.

The layers are read from the file's JSON (config.json in a `.keras` zip, the
`model_config` attribute of an `.h5`), never deserialised: a layer that is not one of
InputLayer, SimpleRNN, LSTM, GRU, Bidirectional of one of them, Dropout and Dense is
refused by name. A Keras kernel is input x units, the transpose of rnncli's W_xh; a
SimpleRNN and an LSTM have one bias, b_h:

    W_xh = kernel^T    W_hh = recurrent_kernel^T    b_h = bias      W_ho = Dense kernel^T

An LSTM's gate blocks i, f, c, o are PyTorch's i, f, g, o already; a GRU's z, r, h are
reordered to r, z, n. A GRU with reset_after (Keras 3's default) has a bias of 2 x 3H,
its rows b_xh and b_hh; without, one bias of 3H, b_h (added with the input's terms, as
rnncli's one bias is).

Every field of the JSON read is checked for its type first (a layer is an object with a
class_name, its config an object, a flag true or false), and the JSON itself for a key
given twice and its depth (model_bounds.model_json); the HDF5 is read through
hdf5_members, which refuses data that is not stored in the file itself.
"""

from __future__ import annotations

import io
from typing import Any

import h5py  # type: ignore[import-untyped]
import numpy as np

from rnncli.cells.activations import Activation
from rnncli.errors import RnnCliError
from rnncli.io.files import MAX_CONFIG_BYTES
from rnncli.io.zip_members import BoundedZip
from rnncli.models.bounds import model_json
from rnncli.models.form import DirectionWeights, ModelForm, Stated, checked_array, reordered
from rnncli.models.keras.hdf5 import Hdf5Tree
from rnncli.models.keras.layer_weights import KerasWeights, LegacyWeights
from rnncli.models.keras.weights_tree import TREE_NOTE, origins, weights_tree_config
from rnncli.option_values import ACTIVATIONS, Direction, canonical_activation

#: Each recurrent layer: rnncli's cell, and Keras's gate blocks in rnncli's order.
RECURRENT = {"SimpleRNN": ("rnn", [0]), "LSTM": ("lstm", [0, 1, 2, 3]), "GRU": ("gru", [1, 0, 2])}
IGNORED = {"InputLayer", "Dropout"}
HDF5_ERRORS = (OSError, KeyError, ValueError, TypeError, RuntimeError, OverflowError, IndexError)


def keras_form(data: bytes, source: str, extension: str, stated: Stated) -> ModelForm:
    """The recurrent model in the Keras file `data` (`extension` .keras or .h5); what
    import's options `stated` is read where the file has no config (a .weights.h5)."""
    try:
        if extension == ".keras":
            stated.refuse_activations(source, recorded=True)
            archive = BoundedZip(data, source, MAX_CONFIG_BYTES)
            config = _json(archive.read("config.json"), source)
            file = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
            tree = Hdf5Tree(file, f"{source}: model.weights.h5")
            return _Reader(source, config, KerasWeights(tree)).form()
        file = h5py.File(io.BytesIO(data), "r")
        tree = Hdf5Tree(file, source)
        if "model_config" not in file.attrs:  # model.save_weights's .weights.h5
            layers = weights_tree_config(tree, source, stated)
            form = _Reader(source, layers, KerasWeights(tree)).form()
            form.notes.insert(0, TREE_NOTE)
            form.origins += origins(form.cell, form.W_o is not None, stated)
            return form
        stated.refuse_activations(source, recorded=True)
        config = _json(file.attrs["model_config"], source)
        return _Reader(source, config, LegacyWeights(tree)).form()
    except HDF5_ERRORS as error:  # what h5py raises for a damaged file, besides OSError
        raise RnnCliError(f"{source}: is not a readable Keras HDF5 file ({error})") from None


def _json(text: Any, source: str) -> Any:
    if isinstance(text, np.ndarray) and text.shape == ():
        text = text[()]
    if not isinstance(text, (str, bytes)):
        raise RnnCliError(f"{source}: its model config is not JSON text")
    return model_json(text, f"{source}: its model config")


def _text(config: dict[str, Any], key: str, what: str, default: Any = None) -> Any:
    """`config[key]`: text, or `default` when not given; anything else is an error."""
    value = config.get(key, default)
    if value is not default and not isinstance(value, str):
        raise RnnCliError(f"{what}: {key} is {_kind(value)}, not text")
    return value


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true or false"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


class _Reader:
    def __init__(self, source: str, config: Any, weights: KerasWeights | LegacyWeights) -> None:
        self.source, self.config, self.weights = source, config, weights
        self.model = ModelForm(source, "Keras", [])
        self.returned_sequences = True  # whether the last layer read returns every step
        self.settings: tuple[Any, ...] = ()  # the first recurrent layer's, for the others

    def error(self, message: str) -> RnnCliError:
        return RnnCliError(f"{self.source}: {message}")

    def layer(self, layer: Any, where: str) -> tuple[str, dict[str, Any], str]:
        """A layer of the config (`where` it is): its class, its config and its name."""
        if not isinstance(layer, dict):
            raise self.error(f"{where} is {_kind(layer)}, not a layer (an object)")
        kind = _text(layer, "class_name", f"{self.source}: {where}")
        if kind is None:
            raise self.error(f"{where} has no class_name")
        config = layer.get("config", {})
        if not isinstance(config, dict):
            raise self.error(f"{where} ({kind}): its config is {_kind(config)}, not an object")
        name = _text(config, "name", f"{self.source}: {where} ({kind})", kind)
        _text(layer, "registered_name", f"{self.source}: {where} ({kind})")
        for key in ("go_backwards", "return_sequences", "reset_after"):
            if not isinstance(config.get(key, False), bool):
                raise self.error(
                    f"layer {name!r}: {key} is {_kind(config[key])}, not true or false"
                )
        return kind, config, name

    def form(self) -> ModelForm:
        model = self.model
        top = self.config.get("config", {}) if isinstance(self.config, dict) else None
        layers = top.get("layers") if isinstance(top, dict) else None
        if not isinstance(layers, list):
            raise self.error("its config holds no list of layers")
        for number, layer in enumerate(layers, 1):
            kind, config, name = self.layer(layer, f"layer {number} of the config")
            if layer.get("registered_name") not in (None, kind) or kind not in (
                *IGNORED,
                *RECURRENT,
                "Bidirectional",
                "Dense",
            ):
                raise self.error(
                    f"layer {name!r} ({kind}) is not read: only SimpleRNN, LSTM, GRU, "
                    "Bidirectional and Dense layers are"
                )
            if kind in IGNORED:
                continue
            if model.W_o is not None:
                raise self.error(f"layer {name!r} ({kind}) comes after the output layer")
            if kind == "Dense":
                kernel, *bias = self.arrays(layer, None, name) or [np.zeros(())]
                if kernel.ndim != 2 or len(bias) > 1:
                    raise self.error(f"layer {name!r}: expected a kernel matrix and a bias")
                model.W_o = kernel.T
                model.b_o = bias[0] if bias else np.zeros(kernel.shape[1])
                model.output_activation = self.activation(config.get("activation"), name)
                model.notes.append(f"Keras Dense {name!r}: kernel transposed into W_ho")
                continue
            if kind == "Bidirectional":
                inner = config.get("layer", {})
                inner_kind, _, _ = self.layer(inner, f"the layer inside {name!r}")
                if inner_kind not in RECURRENT:
                    raise self.error(f"layer {name!r} wraps {inner_kind}, not read")
                if config.get("merge_mode", "concat") != "concat":
                    raise self.error(
                        f"layer {name!r} merges its directions by {config.get('merge_mode')}; "
                        "only concat is expressible"
                    )
                if isinstance(self.weights, LegacyWeights):
                    self.weights.bidirectional = name
                cells = [
                    self.cell(layer, inner["class_name"], part, name)
                    for part in ("forward_layer", "backward_layer")
                ]
                self.add(cells, Direction.BIDIRECTIONAL, inner, name)
            else:
                direction = Direction.FORWARD
                if config.get("go_backwards"):
                    # Keras returns h in the order it ran, x_T first; rnncli's reverse
                    # direction runs the same steps and writes h_t beside x_t.
                    if model.layers:
                        raise self.error(
                            f"layer {name!r} has go_backwards after another recurrent layer; "
                            "only a single go_backwards layer is read"
                        )
                    direction = Direction.REVERSE
                    model.notes.append(
                        f"Keras go_backwards layer {name!r} as direction reverse: its steps "
                        "are written beside the x_t they read, where Keras returns them in "
                        "reversed time order"
                    )
                self.add([self.cell(layer, kind, None, name)], direction, layer, name)
        if not model.layers:
            raise self.error("has no SimpleRNN, LSTM or GRU layer")
        model.notes.append("Keras kernels transposed into W_xh and W_hh")
        model.notes.append(
            {
                "rnn": "Keras SimpleRNN: the one bias is b_h",
                "lstm": "Keras LSTM: gate blocks i,f,c,o kept as i,f,g,o; the one bias is b_h",
                "gru": "Keras GRU: gate blocks reordered from z,r,h to r,z,n; "
                + (
                    "the bias's two rows are b_xh, b_hh"
                    if model.options.reset_after
                    else "the one bias is b_h"
                ),
            }[model.cell]
        )
        return model

    def arrays(self, layer: dict[str, Any], part: str | None, name: str) -> list[Any]:
        try:
            found = self.weights.arrays(layer, part)
        except (KeyError, ValueError) as error:
            raise self.error(f"the weights of layer {name!r} are missing ({error})") from None
        return [checked_array(self.source, f"layer {name!r}", a) for a in found]

    def cell(
        self, layer: dict[str, Any], kind: str, part: str | None, name: str
    ) -> DirectionWeights:
        """One direction of the recurrent layer `kind`, its gate blocks in rnncli's order."""
        arrays = self.arrays(layer, part, name)
        _, order = RECURRENT[kind]
        if len(arrays) not in (2, 3):
            raise self.error(f"layer {name!r} holds {len(arrays)} arrays, expected 2 or 3")
        kernel, recurrent = arrays[0], arrays[1]
        if recurrent.ndim != 2:
            raise self.error(f"layer {name!r}: recurrent_kernel is not a matrix")
        G = len(order)
        H = recurrent.shape[0]
        if kernel.ndim != 2 or kernel.shape[1] != G * H or recurrent.shape != (H, G * H):
            raise self.error(f"layer {name!r}: kernel and recurrent_kernel do not fit")
        W_x, W_h = reordered(kernel.T, order, 0), reordered(recurrent.T, order, 0)
        bias = arrays[2] if len(arrays) == 3 else np.zeros(G * H)
        if bias.shape == (2, G * H):  # a reset_after GRU's: input bias, recurrent bias
            return DirectionWeights(
                W_x, W_h, reordered(bias[0], order, 0), reordered(bias[1], order, 0), "two"
            )
        if bias.shape != (G * H,):
            raise self.error(f"layer {name!r}: the bias is {bias.shape}, expected ({G * H},)")
        return DirectionWeights(
            W_x,
            W_h,
            reordered(bias, order, 0),
            np.zeros(G * H),
            "one" if len(arrays) == 3 else "none",
        )

    def add(
        self, cells: list[DirectionWeights], direction: Direction, layer: dict[str, Any], name: str
    ) -> None:
        """A layer of `cells`; `layer` the recurrent layer (inside a Bidirectional)."""
        model, config = self.model, layer.get("config", {})
        cell, _ = RECURRENT[layer["class_name"]]
        settings = (
            cell,
            direction,
            self.activation(config.get("activation", "tanh"), name),
            self.activation(config.get("recurrent_activation", "sigmoid"), name),
            bool(config.get("reset_after", True)),
        )
        if model.layers and settings != self.settings:
            raise self.error(
                f"layer {name!r}: every layer must be of one kind, direction and activations"
            )
        if model.layers and not self.returned_sequences:
            raise self.error(f"layer {name!r} reads a layer that returns its last step only")
        self.settings = settings
        model.cell, model.direction = settings[:2]
        reset_after = settings[4] if cell == "gru" else True
        options = model.options._replace(activation=settings[2], reset_after=reset_after)
        if cell != "rnn":  # a SimpleRNN has no gates
            options = options._replace(recurrent_activation=settings[3])
        model.options = options
        self.returned_sequences = bool(config.get("return_sequences", False))
        model.layers.append(cells)

    def activation(self, spec: Any, name: str) -> Activation:
        inner = spec.get("config", {}) if isinstance(spec, dict) else None
        text = spec if not isinstance(spec, dict) else inner
        if isinstance(inner, dict):
            text = inner.get("name", spec)
        if text is None or text == "linear":
            return Activation("identity")
        if not isinstance(text, str) or canonical_activation(text) not in ACTIVATIONS:
            raise self.error(f"layer {name!r}: the activation {text!r} is not one rnncli knows")
        if canonical_activation(text) == "hard_sigmoid":  # Keras 3: clip(x/6 + 1/2, 0, 1)
            return Activation.named("hard_sigmoid", 1 / 6, 0.5)
        return Activation.named(canonical_activation(text))
