"""The one form every model file is read into and written from, and its Network.

Whatever the file (a YAML config, ONNX, a PyTorch state_dict, Keras), a reader gives a
ModelForm, and to_network is the one way from it to a Network. It holds per layer and
direction the stacked weights in PyTorch's orientation and gate order,

    W_x: G*H x I_k   (torch weight_ih_l{k})     b_x: G*H   (bias_ih_l{k})
    W_h: G*H x H     (torch weight_hh_l{k})     b_h: G*H   (bias_hh_l{k})

with G = 1 for the Elman cell, 4 for an LSTM (gates i, f, g, o) and 3 for a GRU (r, z,
n); an LSTM's projection W_hr (P x H; then W_h is 4H x P) and peepholes (3 x H, rows
p_i, p_o, p_f); every cell's options, one CellOptions (rnncli.cells.options: the
activations, the clip, input_forget, reset_after), the direction, an output layer
o_t = g(W_o h_t + b_o) (W_o: O x D*H) and h_0; `notes` name every conversion made on the
way (gate blocks reordered, kernels transposed, biases split), for `import`'s header.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnncli.cells.activations import Activation, FloatArray
from rnncli.cells.kinds import CellOptions, gate_blocks, make_cell
from rnncli.cells.options import DEFAULTS
from rnncli.core.input_scale import Scale
from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.option_values import ACTIVATION_NAMES, Direction


@dataclass(frozen=True)
class DirectionWeights:
    """One layer in one direction: z = W_x x + b_x + W_h h + b_h."""

    W_x: FloatArray
    W_h: FloatArray
    b_x: FloatArray
    b_h: FloatArray
    bias: str = "two"  # as the file gives them: "two", "one" (a single bias) or "none"
    W_hr: FloatArray | None = None  # lstm: P x H projection
    peepholes: FloatArray | None = None  # lstm: 3 x H, rows p_i, p_o, p_f


@dataclass(frozen=True)
class Stated:
    """What `import`'s options state of a model where its file cannot say; None where
    not given. The cell is checked against the file's; the activations are read where
    the file records none (a PyTorch state_dict's f, a Keras .weights.h5's f and σ)."""

    cell: str | None = None  # rnn, lstm or gru
    activation: str | None = None  # f, by name
    recurrent_activation: str | None = None  # σ of the gates, by name
    output_layer: str | None = None  # a state_dict's prefix of the nn.Linear

    def check_cell(self, form: ModelForm) -> None:
        """--cell, where given, names the cell the file holds."""
        if self.cell is not None and self.cell != form.cell:
            raise form.error(f"holds {form.cell} layers; --cell says {self.cell}")

    def refuse_activations(self, source: str, recorded: bool) -> None:
        """--recurrent-activation is for a Keras .weights.h5 alone: every other file
        records its gates' σ, or (PyTorch) has it fixed. --activation is for that and a
        PyTorch state_dict (which does not record an nn.RNN's nonlinearity): a file that
        records its activations (`recorded`: ONNX, a Keras model) is not overridden."""
        if self.recurrent_activation is not None:
            raise RnnCliError(
                f"{source}: --recurrent-activation is read for a Keras .weights.h5 only; "
                "this file's gates have their own"
            )
        if recorded and self.activation is not None:
            raise RnnCliError(
                f"{source}: --activation is read for a PyTorch state_dict or a Keras "
                ".weights.h5 only; this file records its own"
            )


@dataclass
class ModelForm:
    """A recurrent model as a file holds it, in PyTorch's orientation (see the module)."""

    source: str  # the file, for messages
    format: str  # "ONNX", "PyTorch state_dict", "safetensors", "Keras", ...
    layers: list[list[DirectionWeights]]  # layers[k][d], d = 0 forward, 1 reverse
    direction: Direction = Direction.FORWARD
    cell: str = "rnn"  # "rnn", "lstm" or "gru"
    #: every cell's options: f, σ of the gates, state_act, the clip, input_forget,
    #: reset_after (each layer's and direction's bias form is its DirectionWeights')
    options: CellOptions = DEFAULTS
    W_o: FloatArray | None = None  # O x D*H
    b_o: FloatArray | None = None  # O
    output_activation: Activation | None = None
    h0: FloatArray | None = None  # L*D x H (P with a projection); zeros when None
    c0: FloatArray | None = None  # lstm: L*D x H; zeros when None
    name: str | None = None
    scale: Scale | None = None  # a config's `scale:`, x_t read as (x_t - mean) / std
    notes: list[str] = field(default_factory=list)
    #: Where what the file does not record came from ("cell lstm: given by --cell"),
    #: for import's header.
    origins: list[str] = field(default_factory=list)

    def error(self, message: str) -> RnnCliError:
        return RnnCliError(f"{self.source}: {message}")


def reordered(array: FloatArray, order: list[int], axis: int) -> FloatArray:
    """`array`'s len(order) blocks along `axis` taken in `order`."""
    blocks = np.split(array, len(order), axis=axis)
    return np.concatenate([blocks[i] for i in order], axis=axis)


def checked_array(form_source: str, name: str, value: object) -> FloatArray:
    """`value` as a float64 array: a float dtype, every value finite, else an error."""
    array = np.asarray(value)
    if array.dtype.kind != "f":
        raise RnnCliError(
            f"{form_source}: {name} holds {array.dtype} values; weights must be floats"
        )
    if not np.all(np.isfinite(array)):
        raise RnnCliError(f"{form_source}: {name} holds NaN or infinite values")
    return np.array(array, dtype=np.float64)


def to_network(form: ModelForm) -> Network:
    """The Network `form` describes, its shapes checked against each other."""
    options = form.options
    if options.activation.name not in ACTIVATION_NAMES:
        raise form.error(f"{options.activation.name} cannot be the hidden activation")
    D = 2 if form.direction is Direction.BIDIRECTIONAL else 1
    G = gate_blocks(form.cell)  # stacked gate blocks: 1, 4 (lstm) or 3 (gru)
    first = form.layers[0][0] if form.layers and form.layers[0] else None
    H = first.W_h.shape[0] // G if first is not None else 0  # units of each gate
    P = first.W_h.shape[1] if first is not None and first.W_h.ndim == 2 else H  # size of h
    for k, cells in enumerate(form.layers):
        if len(cells) != D:
            raise form.error(f"layer {k + 1} has {len(cells)} directions, expected {D}")
        for d, w in enumerate(cells):
            inputs = form.layers[0][0].W_x.shape[1] if k == 0 else D * P
            where = f"layer {k + 1}{' reverse' if d else ''}"
            expected = {
                "W_x": (G * H, inputs),
                "W_h": (G * H, P),
                "b_x": (G * H,),
                "b_h": (G * H,),
            }
            if w.W_hr is not None:
                expected["W_hr"] = (P, H)
            if w.peepholes is not None:
                expected["peepholes"] = (3, H)
            for key, shape in expected.items():
                actual = getattr(w, key).shape
                if actual != shape:
                    raise form.error(
                        f"{where}: {key} is {'x'.join(map(str, actual))}, expected "
                        f"{'x'.join(map(str, shape))} (H = {H} from the first layer)"
                    )
            if w.W_hr is None and P != H:
                raise form.error(f"{where}: W_hh has {P} columns, expected {H}")
    layers = tuple(
        tuple(
            make_cell(
                form.cell,
                w.W_x,
                w.W_h,
                w.b_x,
                w.b_h,
                options._replace(bias=w.bias),
                w.W_hr,
                w.peepholes,
            )
            for w in cells
        )
        for cells in form.layers
    )
    h0 = np.zeros((len(layers) * D, P)) if form.h0 is None else form.h0
    if h0.shape != (len(layers) * D, P):
        raise form.error(f"the initial state is {h0.shape}, expected {(len(layers) * D, P)}")
    c0 = form.c0
    if c0 is not None and c0.shape != (len(layers) * D, H):
        raise form.error(f"the initial cell state is {c0.shape}, expected {(len(layers) * D, H)}")
    W_o, b_o = form.W_o, form.b_o
    if W_o is not None:
        if W_o.ndim != 2 or W_o.shape[1] != D * P:
            raise form.error(
                f"the output layer's weight is {'x'.join(map(str, W_o.shape))}, "
                f"expected O x {D * P}"
            )
        if b_o is None:
            b_o = np.zeros(W_o.shape[0])
        if b_o.shape != (W_o.shape[0],):
            raise form.error(
                f"the output layer's bias has {b_o.size} values, expected {W_o.shape[0]}"
            )
    output_activation = form.output_activation
    if W_o is not None and output_activation is None:
        output_activation = Activation("identity")
    return Network(
        layers=layers,
        h0=h0,
        W_ho=W_o,
        b_o=b_o if W_o is not None else None,
        activation=options.activation,
        output_activation=output_activation if W_o is not None else None,
        direction=form.direction,
        clip=options.clip,
        name=form.name,
        c0=c0 if form.cell == "lstm" else None,
        scale=form.scale,
    )


def from_network(net: Network, source: str) -> ModelForm:
    """The form of a Network, for the writers."""
    layers = [
        [
            DirectionWeights(
                c.W_xh,
                c.W_hh,
                c.b_xh,
                c.b_hh,
                c.bias,
                W_hr=c.W_hr,
                peepholes=c.peepholes,
            )
            for c in cells
        ]
        for cells in net.layers
    ]
    options = net.cell.options._replace(activation=net.activation, clip=net.clip, bias="two")
    return ModelForm(
        source=source,
        format="rnncli config",
        layers=layers,
        direction=net.direction,
        options=options,
        W_o=net.W_ho,
        b_o=net.b_o,
        output_activation=net.output_activation,
        h0=net.h0,
        name=net.name,
        cell=net.cell_kind,
        c0=net.c0 if net.c0 is not None and np.any(net.c0) else None,
    )
