"""The forward pass, fast: what rnncli.core.forward's reference loop computes, for a
whole batch at once (tests hold the two together to 1e-12).

- the input part W_xh x_t + b_xh + b_hh of every step of every sequence is one matrix
  product (X @ W_xh.T) before the loop, in the cell's `run`;
- only z_t += W_hh h_{t-1}; h_t = f(z_t) is a Python loop, writing into buffers;
- sequences of different lengths run as one padded batch (each stops at its own end),
  a reverse direction runs its sequence backwards within its own length, and the
  output layer is one matrix product over every step after the loop.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from rnncli.cells.activations import FloatArray
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.option_values import Direction, Mode


def run_together(
    net: Network,
    inputs: list[FloatArray],
    first_outputs: list[int],
    h_0: FloatArray,
    mode: Mode,
    c_0: FloatArray | None = None,
) -> list[Forward]:
    """Every sequence as one padded batch: one matrix product per step for all of them.

    inputs: the sequences as run (each T_b x I); first_outputs: the first step t of each
    that makes an output; h_0: (L*D) x H; c_0: an LSTM's (L*D) x H_c (zeros if None).
    """
    dtype, I, B = h_0.dtype, net.input_size, len(inputs)
    lengths = np.array([len(X) for X in inputs])
    T, L, D, H = int(lengths.max()), net.num_layers, net.num_directions, net.hidden_size
    if np.all(lengths == T):
        batch = np.stack(inputs, axis=1)  # time x sequence x feature
    else:
        batch = np.zeros((T, B, I), dtype=dtype)  # padded with zeros after each end
        for b, X in enumerate(inputs):
            batch[: len(X), b] = X
    lstm = net.cell_kind == "lstm"
    c_0 = net.c0 if c_0 is None else c_0
    h_n = np.empty((B, L * D, H), dtype=dtype)
    c_n = np.empty((B, L * D, net.cell_size), dtype=dtype) if lstm else None
    layer_input = batch
    layer_outputs: list[FloatArray] = []
    Zs: list[FloatArray] = []
    Cs: list[FloatArray] = []
    for k, cells in enumerate(net.layers):
        Zs, Hs, Cs = [], [], []
        for d, cell in enumerate(cells):
            row = k * D + d
            reverse = (d == 1) or net.direction is Direction.REVERSE
            start = cell.initial_state(
                *(np.repeat(s[row][np.newaxis, :], B, axis=0) for s in (h_0, c_0) if s is not None)
            )
            # A reverse direction runs each sequence t = T_b..1: backwards in, back out.
            x = _reversed_within(layer_input, lengths) if reverse else layer_input
            Z, every, last = cell.run(x, lengths, start)
            if reverse:
                Z = _reversed_within(Z, lengths)
                every = tuple(_reversed_within(S, lengths) for S in every)
            Zs.append(Z)
            Hs.append(every[0])
            h_n[:, row] = last[0]
            if c_n is not None:
                Cs.append(every[1])
                c_n[:, row] = last[1]
        layer_input = np.concatenate(Hs, axis=2) if D > 1 else Hs[0]  # T x B x (D*H)
        layer_outputs.append(layer_input)
    # Every layer's h_t, T x B x L x (D*H): a view of the top layer when there is one.
    states = layer_input[:, :, np.newaxis] if L == 1 else np.stack(layer_outputs, axis=2)
    Z_top = np.concatenate(Zs, axis=2) if D > 1 else Zs[0]  # the top layer's z_t
    C_top = None if not Cs else np.concatenate(Cs, axis=2) if D > 1 else Cs[0]

    # The output layer after the loop, one matrix product over every step:
    #   o_t = g(W_ho h_t + b_o)                                        (T x B x O)
    O_all = net.output(layer_input)
    read_whole = mode is Mode.MANY_TO_ONE and net.direction is not Direction.FORWARD
    if read_whole:
        # Read whole, the sequence ends at t = T forward and at t = 1 in reverse: o comes
        # from those final states of the top layer, [h_T forward; h_1 reverse].
        top = h_n[:, (L - 1) * D :]  # B x D x H
        O_final = net.output(top.reshape(B, D * H))
    results = []
    for b, X in enumerate(inputs):
        n = len(X)
        O = O_final[b : b + 1] if read_whole else O_all[first_outputs[b] - 1 : n, b]
        results.append(
            Forward(
                X=X,
                Z=Z_top[:n, b],
                H=layer_input[:n, b],
                O=O,
                h0=h_0,
                mode=mode,
                layers=states[:n, b],
                h_n=h_n[b],
                first_output=first_outputs[b],
                C=None if C_top is None else C_top[:n, b],
                c_n=None if c_n is None else c_n[b],
            )
        )
    return results


def _reversed_within(values: FloatArray, lengths: npt.NDArray[np.int_]) -> FloatArray:
    """Each sequence's steps in reverse order within its own length; padding stays put."""
    T, B = values.shape[:2]
    t = np.arange(T)[:, np.newaxis]
    index = np.where(t < lengths, lengths - 1 - t, t)  # T x B: its own inverse
    return values[index, np.arange(B)]


def feedback_run(
    net: Network, inputs: list[FloatArray], h_0: FloatArray, c_0: FloatArray | None = None
) -> list[Forward]:
    """one-to-many with feedback: x_1 given, then x_t = o_{t-1}; every layer steps at once.

    A network that runs forward in time with O = I (the pipeline checks both first).
    Each step is the cells' fast run over one step, so a fed-back run gives the numbers
    a run over the same inputs gives.
    """
    assert net.direction is Direction.FORWARD and net.output_size == net.input_size
    X = np.stack(inputs, axis=1)  # T x B x I; rows after the first are replaced
    T, B, _ = X.shape
    L, H, G = net.num_layers, net.hidden_size, max(len(net.gates), 1)
    c_0 = net.c0 if c_0 is None else c_0
    Z = np.empty((T, B, G * net.cell_size), dtype=X.dtype)
    states = np.empty((T, B, L, H), dtype=X.dtype)
    C = np.empty((T, B, net.cell_size), dtype=X.dtype) if c_0 is not None else None
    O = np.empty((T, B, net.output_size), dtype=X.dtype)
    one_step = np.ones(B, dtype=np.int_)
    state = [
        cell.initial_state(
            *(np.repeat(s[k][np.newaxis, :], B, axis=0) for s in (h_0, c_0) if s is not None)
        )
        for k, (cell,) in enumerate(net.layers)
    ]
    for t in range(T):
        if t > 0:
            X[t] = O[t - 1]  # x_t = o_{t-1}
        layer_input = X[t : t + 1]  # 1 x B x I: a batch of one step
        for k, (cell,) in enumerate(net.layers):
            z, every, state[k] = cell.run(layer_input, one_step, state[k])
            layer_input = every[0]
            states[t, :, k] = layer_input[0]
        Z[t] = z[0]
        if C is not None:
            C[t] = every[1][0]
        O[t] = net.output(layer_input[0])
    return [
        Forward(
            X=X[:, b],
            Z=Z[:, b],
            H=states[:, b, -1],
            O=O[:, b],
            h0=h_0,
            mode=Mode.ONE_TO_MANY,
            layers=states[:, b],
            h_n=np.stack([state[k][0][b] for k in range(L)]),
            first_output=1,
            C=None if C is None else C[:, b],
            c_n=None if C is None else np.stack([state[k][1][b] for k in range(L)]),
        )
        for b in range(B)
    ]
