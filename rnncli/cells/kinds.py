"""Every kind of cell by its name: the one place a kind, its stacked weights and its
options become a cell (the config reader, the model-file readers and init-weights all
come here)."""

from __future__ import annotations

from typing import NamedTuple

from rnncli.cells.activations import SIGMOID, TANH, Activation, FloatArray
from rnncli.cells.elman import ElmanCell, RecurrentCell
from rnncli.cells.gru import GruCell
from rnncli.cells.lstm import LstmCell


class CellOptions(NamedTuple):
    """What a cell takes beside its weights (an rnn cell takes the network's f and clip)."""

    activation: Activation = TANH  # lstm: g and h(c_t); gru: n
    recurrent_activation: Activation = SIGMOID  # the gates
    state_activation: Activation | None = None  # lstm: h(c_t) when not `activation`
    clip: float | None = None
    input_forget: bool = False  # lstm: f = 1 - i
    reset_after: bool = True  # gru: r applied after W_hh^n h (PyTorch's)


def make_cell(
    kind: str,
    W_xh: FloatArray,
    W_hh: FloatArray,
    b_xh: FloatArray,
    b_hh: FloatArray,
    bias: str,
    options: CellOptions | None = None,
    W_hr: FloatArray | None = None,
    peepholes: FloatArray | None = None,
) -> RecurrentCell:
    """The cell of `kind` ("rnn", "lstm" or "gru") with weights stacked in PyTorch's gate
    order (lstm i, f, g, o; gru r, z, n); an lstm's projection and peepholes."""
    options = options or CellOptions()
    if kind == "lstm":
        return LstmCell(
            W_xh,
            W_hh,
            b_xh,
            b_hh,
            bias,
            activation=options.activation,
            recurrent_activation=options.recurrent_activation,
            state_activation=options.state_activation,
            clip=options.clip,
            W_hr=W_hr,
            peepholes=peepholes,
            input_forget=options.input_forget,
        )
    if kind == "gru":
        return GruCell(
            W_xh,
            W_hh,
            b_xh,
            b_hh,
            bias,
            activation=options.activation,
            recurrent_activation=options.recurrent_activation,
            clip=options.clip,
            reset_after=options.reset_after,
        )
    return ElmanCell(W_xh, W_hh, b_xh, b_hh, bias)
