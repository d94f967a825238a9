"""The terms of `--explain` by name, named once for every output: the explain table
shows them as rows and the machine formats write them under the same keys.

For step t, each term by its key (machine formats) and its row (the explain table):

    h_prev        h_{t-1}, h_0 at t = 1    (machine formats only: the row above holds it)
    W_xh_x        W_xh x_t                 "W_xh x_t"
    b_xh          b_xh                     "+ b_xh"
    W_xh_x_b_xh   W_xh x_t + b_xh          "= W_xh x_t + b_xh"  (the textbook's "Hidden")
    W_hh_h_prev   W_hh h_{t-1}             "+ W_hh h_{t-1}"
    b_hh          b_hh                     "+ b_hh"
    z             z_t                      "= z_t"
    W_ho_h        W_ho h_t                 (machine formats only)
    b_o           b_o                      (machine formats only)
    o_pre         W_ho h_t + b_o           "W_ho h_t + b_o"

h_t and o_t themselves are every output's `h` and `o`.
"""

from __future__ import annotations

import numpy as np

from rnncli.activations import FloatArray
from rnncli.explain import Terms

#: The hidden layer's terms, H values each, in the order every output gives them.
HIDDEN_TERMS = ("h_prev", "W_xh_x", "b_xh", "W_xh_x_b_xh", "W_hh_h_prev", "b_hh", "z")
#: The output layer's terms, O values each, where the step makes an output.
OUTPUT_TERMS = ("W_ho_h", "b_o", "o_pre")

#: The explain table's rows of the hidden layer: (row, key), top to bottom.
HIDDEN_ROWS = (
    ("W_xh x_t", "W_xh_x"),
    ("+ b_xh", "b_xh"),
    ("= W_xh x_t + b_xh", "W_xh_x_b_xh"),
    ("+ W_hh h_{t-1}", "W_hh_h_prev"),
    ("+ b_hh", "b_hh"),
    ("= z_t", "z"),
)
#: The explain table's row of the output layer before g.
OUTPUT_ROWS = (("W_ho h_t + b_o", "o_pre"),)


def term_arrays(explained: Terms) -> dict[str, FloatArray]:
    """Every term by its key, HIDDEN_TERMS then OUTPUT_TERMS (with an output layer):
    row k holds step t = k + 1; a bias, the same at every step, is repeated in each row."""
    T = len(explained.Z)

    def every_step(bias: FloatArray) -> FloatArray:
        repeated: FloatArray = np.broadcast_to(bias, (T, len(bias)))
        return repeated

    with np.errstate(all="ignore"):  # a term may overflow: it is shown as it is
        arrays = {
            "h_prev": explained.H_prev,
            "W_xh_x": explained.W_xh_x,
            "b_xh": every_step(explained.b_xh),
            "W_xh_x_b_xh": explained.W_xh_x + explained.b_xh,
            "W_hh_h_prev": explained.W_hh_h_prev,
            "b_hh": every_step(explained.b_hh),
            "z": explained.Z,
        }
    if explained.W_ho_h is not None and explained.b_o is not None and explained.O_pre is not None:
        arrays["W_ho_h"] = explained.W_ho_h
        arrays["b_o"] = every_step(explained.b_o)
        arrays["o_pre"] = explained.O_pre
    return arrays
