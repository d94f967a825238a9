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

An LSTM's and a GRU's terms are each gate's own, the gate's name after the key
(W_xh_x_i is W_xh^i x_t), then how the gates make the state:

    h_prev, c_prev (lstm)           h_{t-1}, c_{t-1} (h_0, c_0 at t = 1)
    W_xh_x_<g>, b_xh_<g>,           gate g's W_xh^g x_t, b_xh^g, W_hh^g h_{t-1}, b_hh^g
    W_hh_h_prev_<g>, b_hh_<g>         (a GRU's n with reset_after false: W_hh^n (r ⊙ h_{t-1}))
    recurrent_n (gru)               n's recurrent part: r ⊙ (W_hh^n h_{t-1} + b_hh^n), or
                                      W_hh^n (r ⊙ h_{t-1}) + b_hh^n with reset_after false
    peephole_<g> (lstm, i f o)      with peepholes: p_i ⊙ c_{t-1}, p_f ⊙ c_{t-1}, p_o ⊙ c_t
    z_<g>                           gate g's pre-activation (z_z: the update gate's)
    f_c_prev, i_g, act_c (lstm)     f ⊙ c_{t-1}, i ⊙ g (their sum is c_t), state_act(c_t)
    o_act_c (lstm, projected)       o ⊙ state_act(c_t), H values: h_t = W_hr o_act_c

Every term holds H values (the units of a gate) but h_prev: h_{t-1} holds as many as h,
an LSTM's P with a projection.
    one_minus_z_n, z_h_prev (gru)   (1 - z) ⊙ n, z ⊙ h_{t-1} (their sum is h_t)

and the gates' values after their activation, by gate (JSON's "gates"; csv's gate_i1..).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnncli.cells.activations import FloatArray
from rnncli.cells.kinds import GATES
from rnncli.core.explain import Terms
from rnncli.core.network import Network

#: The hidden layer's terms, H values each, in the order every output gives them.
HIDDEN_TERMS = ("h_prev", "W_xh_x", "b_xh", "W_xh_x_b_xh", "W_hh_h_prev", "b_hh", "z")
#: The terms of each gate of an LSTM (i, f, g, o) and of a GRU's r and z: the key then
#: "_" and the gate's name.
GATE_TERMS = ("W_xh_x", "b_xh", "W_hh_h_prev", "b_hh", "z")
#: The prefix of the gates' values in csv and tsv (gate_i1..gate_iH): o1 is an output.
GATE_COLUMN = "gate_"


def hidden_terms(net: Network) -> tuple[str, ...]:
    """The hidden layer's terms of the network's cell, in the order every output gives
    them (term_size: how many values each)."""
    kind = net.cell_kind
    if kind == "rnn":
        return HIDDEN_TERMS
    gates = GATES[kind]
    peepholes = net.cell.peepholes is not None

    def of(gate: str) -> list[str]:
        keys = [f"{key}_{gate}" for key in GATE_TERMS]
        if (kind, gate) == ("gru", "n"):
            return [*keys[:-1], "recurrent_n", keys[-1]]
        if peepholes and gate != "g":
            return [*keys[:-1], f"peephole_{gate}", keys[-1]]
        return keys

    per_gate = [key for gate in gates for key in of(gate)]
    if kind == "lstm":
        projected = ("o_act_c",) if getattr(net.cell, "W_hr", None) is not None else ()
        return ("h_prev", "c_prev", *per_gate, "f_c_prev", "i_g", "act_c", *projected)
    return ("h_prev", *per_gate, "one_minus_z_n", "z_h_prev")


def term_size(net: Network, key: str) -> int:
    """How many values the hidden term `key` holds: h's for h_prev, else H."""
    return net.hidden_size if key == "h_prev" else net.cell_size


def gate_arrays(explained: Terms) -> dict[str, FloatArray]:
    """Each gate's values after its activation (T x H), by name; none for the rnn cell."""
    if explained.G is None:
        return {}
    gates = GATES["lstm" if explained.C_prev is not None else "gru"]
    return dict(zip(gates, np.hsplit(explained.G, len(gates)), strict=True))


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
    row k holds step t = k + 1; a bias, the same at every step, is repeated in each row.
    Each is one of the terms' arrays (or a piece of one), never computed here: so the
    terms of a rounded run (-p N) are each rounded once, from the exact value."""
    T = len(explained.Z)

    def every_step(bias: FloatArray) -> FloatArray:
        repeated: FloatArray = np.broadcast_to(bias, (T, len(bias)))
        return repeated

    gates = gate_arrays(explained)
    arrays = (
        _gated_terms(explained, gates, every_step)
        if gates
        else {
            "h_prev": explained.H_prev,
            "W_xh_x": explained.W_xh_x,
            "b_xh": every_step(explained.b_xh),
            "W_xh_x_b_xh": explained.W_xh_x_b_xh,
            "W_hh_h_prev": explained.W_hh_h_prev,
            "b_hh": every_step(explained.b_hh),
            "z": explained.Z,
        }
    )
    if explained.W_ho_h is not None and explained.b_o is not None and explained.O_pre is not None:
        arrays["W_ho_h"] = explained.W_ho_h
        arrays["b_o"] = every_step(explained.b_o)
        arrays["o_pre"] = explained.O_pre
    return arrays


def view_terms(explained: Terms) -> dict[str, FloatArray]:
    """The explain views' terms: term_arrays, and each gate's values as "gate g"."""
    terms = term_arrays(explained)
    terms.update({f"gate {gate}": values for gate, values in gate_arrays(explained).items()})
    return terms


def _gated_terms(
    explained: Terms, gates: dict[str, FloatArray], every_step: Callable[[FloatArray], FloatArray]
) -> dict[str, FloatArray]:
    """An LSTM's or a GRU's hidden terms by key (see hidden_terms)."""
    arrays = {"h_prev": explained.H_prev}
    if explained.C_prev is not None:
        arrays["c_prev"] = explained.C_prev
    stacked = {
        "W_xh_x": explained.W_xh_x,
        "b_xh": every_step(explained.b_xh),
        "W_hh_h_prev": explained.W_hh_h_prev,
        "b_hh": every_step(explained.b_hh),
        "z": explained.Z,
    }
    assert explained.G is not None
    H = explained.G.shape[1] // len(gates)
    for k, gate in enumerate(gates):
        for key, array in stacked.items():
            if key == "z" and explained.recurrent_n is not None and gate == "n":
                arrays["recurrent_n"] = explained.recurrent_n
            if key == "z" and explained.Peeped is not None and gate != "g":
                column = {"i": 0, "f": 1, "o": 2}[gate]  # Peeped holds i, f, o
                arrays[f"peephole_{gate}"] = explained.Peeped[:, column * H : (column + 1) * H]
            arrays[f"{key}_{gate}"] = array[:, k * H : (k + 1) * H]
    if explained.F_c_prev is not None and explained.I_g is not None:
        assert explained.C_act is not None
        arrays["f_c_prev"] = explained.F_c_prev
        arrays["i_g"] = explained.I_g
        arrays["act_c"] = explained.C_act
        if explained.Shown is not None:
            arrays["o_act_c"] = explained.Shown
    else:
        assert explained.One_minus_z_n is not None and explained.Z_h_prev is not None
        arrays["one_minus_z_n"] = explained.One_minus_z_n
        arrays["z_h_prev"] = explained.Z_h_prev
    return arrays
