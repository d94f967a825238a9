"""What a forward pass gives back: the arrays of every step (the Forward result), the
gate values of an LSTM or GRU, and where a run first stops being finite."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rnncli import numeric_trouble
from rnncli.cells.activations import FloatArray
from rnncli.core.network import Network
from rnncli.option_values import Mode


class Forward(NamedTuple):
    """A forward pass of one sequence, as arrays; row k of each holds step t = k + 1.

    The arrays are views into the batch's arrays and may share memory (O is a read-only
    view of H where there is no output layer): read them, copy them to change them.
    """

    X: FloatArray  # T x I        inputs x_t as run (with the mode's extra steps)
    Z: FloatArray  # T x (D*G*H)  pre-activations of the top layer's G gates (rnn: z_t)
    H: FloatArray  # T x (D*H)    hidden states h_t of the top layer
    O: FloatArray  # N x O        outputs o_t at output_steps
    h0: FloatArray  # (L*D) x H   initial states
    mode: Mode
    layers: FloatArray  # T x L x (D*H)   every layer's state at every step
    h_n: FloatArray  # (L*D) x H   final states (a reverse direction ends at t = 1)
    first_output: int  # the first step t that makes an output
    C: FloatArray | None = None  # T x (D*H_c)   an LSTM's top-layer cell states c_t
    c_n: FloatArray | None = None  # (L*D) x H_c  an LSTM's final cell states

    @property
    def output_steps(self) -> range:
        """The steps t (from 1) that made an output, one per row of O."""
        return range(self.first_output, len(self.X) + 1)

    def output_row(self, k: int) -> int | None:
        """The row of O that step t = k + 1 made, or None where it made no output."""
        return k + 1 - self.first_output if k + 1 in self.output_steps else None


def gate_values(net: Network, result: Forward) -> dict[str, FloatArray]:
    """The top layer's gates after their activation, by name (T x D*H each, directions
    side by side), from the pre-activations the run kept; none for an Elman cell."""
    top = net.layers[-1]
    G, H = len(net.gates), net.cell_size
    per_direction = [
        cell.gate_values(result.Z[:, d * G * H : (d + 1) * G * H]) for d, cell in enumerate(top)
    ]
    return {name: np.concatenate([g[name] for g in per_direction], axis=1) for name in net.gates}


def first_non_finite(result: Forward) -> tuple[str, int, int] | None:
    """Where the result first stops being finite: ("h", t, unit), ("c", t, unit) or
    ("o", t, unit), from 1."""
    lower = result.layers[:, :-1].reshape(len(result.layers), -1)  # T x ((L-1)*D*H)
    every_step = range(1, len(result.H) + 1)
    cells = [] if result.C is None else [("c", result.C, every_step)]
    # At one step the cause comes first: the layer below, then c_t, h_t and o_t.
    return numeric_trouble.first_non_finite(
        [
            ("a lower layer's h", lower, every_step),
            *cells,
            ("h", result.H, every_step),
            ("o", result.O, result.output_steps),
        ]
    )
