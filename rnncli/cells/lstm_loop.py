"""The LSTM cell's fast loop: `LstmCell.step` over a padded batch, feature-major.

rnncli.cells.lstm opens with the step as the lecture writes it; this is the same steps
as fast as numpy allows, and tests hold it to that step.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import FloatArray, clip_into
from rnncli.cells.elman import RecurrentCell, State
from rnncli.cells.layout import (
    alive_mask,
    input_part,
    per_unit,
    sequence_major,
    sigmoid_rows,
    state_in,
    state_out,
    turn_back,
)


def lstm_run(
    cell: RecurrentCell, inputs: FloatArray, lengths: npt.NDArray[np.int_], state: State
) -> tuple[FloatArray, State, State]:
    """`step` over a padded batch inputs (T x B x I) from state (h: B x H_r, c: B x H).

    Returns Z (T x B x 4H), the states at every step (H: T x B x H_r, C: T x B x H)
    and each sequence's final (h, c); a sequence stops at its own length.

    The input part of every step is one matrix product before the loop; each step
    is one product W_hh h_{t-1} for all four gates, then the gates in place in
    preallocated buffers, feature-major (rnncli.cells.layout: a step's z_t is
    4H x B, each gate a block of rows). One sequence runs its gates in the order
    i, f, o, g (the weights' rows permuted once), so one call of σ covers i, f and o
    when no peephole makes o wait for c_t, and Z goes back to PyTorch's order at the
    end, in place. A batch keeps PyTorch's order and calls σ twice a step: there
    swapping the blocks back would cost more than the call.
    """
    h_start, c_start = state
    T, B = inputs.shape[:2]
    H, clip, dtype, batch = cell.cell_size, cell.options.clip, inputs.dtype, B > 1
    late_o = cell.peepholes is not None  # o needs c_t first
    o_apart = batch and not late_o  # σ of o in a call of its own
    if batch:
        order, g_rows, o_rows = np.arange(4 * H), slice(2 * H, 3 * H), slice(3 * H, 4 * H)
    else:  # i, f, o, g
        order = np.r_[0 : 2 * H, 3 * H : 4 * H, 2 * H : 3 * H]
        g_rows, o_rows = slice(3 * H, 4 * H), slice(2 * H, 3 * H)
    # One sequence with the sigmoid: the rows of i, f and o (its first 3H) negated
    σ, sign, negated = sigmoid_rows(
        cell.options.recurrent_activation, slice(0, 3 * H), 4 * H, not batch, dtype
    )
    with np.errstate(all="ignore"):
        act = cell.options.activation.into(dtype)
        state_act = (cell.options.state_activation or cell.options.activation).into(dtype)
        clipped = clip_into(clip, dtype)  # every gate's pre-activation, to [-C, C]
        # Z[t] starts as W_xh x_t + b_xh + b_hh, every step at once    (4H x B)
        b = (cell.b_xh + cell.b_hh)[order] * sign[:, 0]
        Z = input_part(inputs, cell.W_xh[order] * sign, b)
        Hs = np.empty((T, cell.hidden_size, *Z.shape[2:]), dtype=dtype)  # H_r x B
        Cs = np.empty((T, H, *Z.shape[2:]), dtype=dtype)  # H x B
        alive = alive_mask(lengths, T)
        h, c = state_in(h_start), state_in(c_start)  # h_{t-1}, c_{t-1}
        recurrent = (cell.W_hh[order] * sign).dot  # (h, out): out = W_hh h
        project = None if cell.W_hr is None else cell.W_hr.dot  # out = W_hr v
        add, multiply = np.add, np.multiply
        if cell.peepholes is not None:
            p_i, p_o, p_f = (per_unit(p * sign[0, 0], batch) for p in cell.peepholes)
        gates = np.empty(Z.shape[1:], dtype=dtype)  # the gates after activation
        i, f, g, o = gates[:H], gates[H : 2 * H], gates[g_rows], gates[o_rows]
        products = np.empty_like(gates)
        peeked = np.empty_like(i)
        shown = np.empty_like(i)  # state_act(c_t), then o ⊙ it
        early = slice(0, 2 * H) if late_o or batch else slice(0, 3 * H)  # σ in one call
        gates_early = gates[early]
        one, input_forget = np.ones((), dtype), cell.options.input_forget
        steps = zip(Z, Z[:, early], Z[:, g_rows], Z[:, o_rows], Hs, Cs, strict=True)
        for t, (z, z_early, z_g, z_o, h_t, c_t) in enumerate(steps):
            recurrent(h, products)
            add(z, products, z)  # z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh
            if late_o:
                multiply(p_i, c, peeked)
                add(z[:H], peeked, z[:H])  # z^i += p_i ⊙ c_{t-1}
                multiply(p_f, c, peeked)
                add(z[H : 2 * H], peeked, z[H : 2 * H])  # z^f += p_f ⊙ c_{t-1}
            if clip is None:
                σ(z_early, gates_early)  # i, f (and o) = σ(z)
                act(z_g, g)  # g = act(z^g)
                if o_apart:
                    σ(z_o, o)
            else:  # each gate's pre-activation clamped, then its activation in place
                clipped(z, gates)
                σ(gates_early, gates_early)
                act(g, g)
                if o_apart:
                    σ(o, o)
            if input_forget:
                np.subtract(one, i, f)  # f = 1 - i
            multiply(f, c, c_t)
            multiply(i, g, shown)
            add(c_t, shown, c_t)  # c_t = f ⊙ c_{t-1} + i ⊙ g
            if late_o:
                multiply(p_o, c_t, peeked)
                add(z_o, peeked, z_o)  # z^o += p_o ⊙ c_t
                σ(z_o if clip is None else clipped(z_o, o), o)
            state_act(c_t, shown)
            if project is None:
                multiply(o, shown, h_t)  # h_t = o ⊙ state_act(c_t)
            else:
                multiply(o, shown, shown)
                project(shown, h_t)  # h_t = W_hr (o ⊙ state_act(c_t))
            if alive is None:
                h, c = h_t, c_t
            else:  # a sequence past its end keeps its state
                h = np.where(alive[t], h_t, h)
                c = np.where(alive[t], c_t, c)
        if not batch:  # z, not -z, and back to PyTorch's order i, f, g, o
            swapped = (slice(2 * H, 3 * H), slice(3 * H, 4 * H))
            turn_back(Z, negated, swapped)
    every = (sequence_major(Hs), sequence_major(Cs))
    return sequence_major(Z), every, (state_out(h), state_out(c))
