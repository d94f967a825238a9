"""Backpropagation through time (BPTT) for the lecture's network, numpy only.

Forward, t = 1..T, from h_0:

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh      h_t = f(z_t)
    a_t = W_ho h_t + b_o                             o_t = g(a_t)   (a_t = o_t = h_t without W_ho)

The loss adds up the steps S that carry a target (every t for many-to-many, t = T for
many-to-one), times a scale c (1 for --reduction sum; the mean's 1/(|S| K) or 1/|S|):

    mse            L = c sum_{t in S} sum_k (o_t,k - y_t,k)^2       dL/do_t = 2c (o_t - y_t)
    cross-entropy  L = c sum_{t in S} -log softmax(a_t)[y_t]         dL/da_t = c (p_t - onehot(y_t))

Backward, t = T..1, with dL/dz_{T+1} = 0 (and set to 0 at the end of each chunk of K
steps under truncation: PyTorch's h.detach() at the chunk boundaries):

    dL/da_t = J_g(a_t)^T dL/do_t                                 (0 where t is not in S)
    dL/dh_t = W_ho^T dL/da_t + W_hh^T dL/dz_{t+1}     "from the output" + "from the future"
    dL/dz_t = f'(z_t) ⊙ dL/dh_t

and the gradients add up every step's share (the same weights at every step):

    dL/dW_xh = sum_t dL/dz_t x_t^T      dL/dW_hh = sum_t dL/dz_t h_{t-1}^T
    dL/db_xh = dL/db_hh = sum_t dL/dz_t  (the two biases are redundant: the same gradient)
    dL/dW_ho = sum_t dL/da_t h_t^T      dL/db_o  = sum_t dL/da_t
    dL/dh_0  = W_hh^T dL/dz_1

`reference_bptt` is this, step by step, as plainly as it can be written; `bptt` computes
the same with arrays (only dL/dz_t is a loop; each sum is one matrix product after it),
and is held to the reference by the tests. Shapes: X is T x I; Y is T x O (mse) or T x 1
class indices (cross-entropy); S is a boolean mask of T.

Each kind of cell brings its own step back (its `step_back`): the Elman cell's is the
two lines dL/dz_t = f'(z_t) ⊙ dL/dh_t and dL/dh_{t-1} = W_hh^T dL/dz_t; an LSTM's and
a GRU's go through their gates (rnncli.cells.lstm, rnncli.cells.gru), an LSTM's carrying
dL/dc_t back beside dL/dh_t. Z, dL/dz_t and W_xh, W_hh then hold every gate's rows,
stacked in PyTorch's order, and the gradients of their weights are each cell's
`parameter_gradients`.

The loss and its dL/da_t live in rnncli.core.loss; the gradients' names, their split
by gate, their norm and clipping in rnncli.core.gradients.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from rnncli.cells.activations import FloatArray, softmax
from rnncli.cells.elman import RecurrentCell, State
from rnncli.cells.slopes import output_vjp, slope
from rnncli.core.gradients import Gradients, named_gradients
from rnncli.core.loss import Targets, scale, step_losses
from rnncli.core.network import Network
from rnncli.option_values import LossName, Reduction

# -- the lecture: one step at a time ---------------------------------------------------


def reference_bptt(
    net: Network,
    X: FloatArray,
    targets: Targets,
    loss: LossName,
    reduction: Reduction = Reduction.SUM,
    truncate: int | None = None,
) -> tuple[float, Gradients]:
    """L and every gradient, one step at a time, as the equations above read."""
    cell, f, g = net.cell, net.activation, net.output_activation
    W_xh, W_hh, b_xh, b_hh = cell.W_xh, cell.W_hh, cell.b_xh, cell.b_hh
    T, (Y, S) = len(X), targets
    c = scale(loss, reduction, int(S.sum()), net.output_size)
    # Forward: keep every z_t, h_t (hs[0] = h_0) and a_t.
    W_ho, b_o = net.W_ho, net.b_o  # None without an output layer (then a_t = h_t)
    hs, zs, as_ = [net.h0[0]], [], []
    for t in range(1, T + 1):
        z_t = W_xh @ X[t - 1] + b_xh + W_hh @ hs[t - 1] + b_hh
        h_t = f(z_t)
        a_t = h_t if W_ho is None or b_o is None else W_ho @ h_t + b_o
        zs.append(z_t)
        hs.append(h_t)
        as_.append(a_t)
    # Backward: t = T..1.
    L = 0.0
    grads: dict[str, Any] = {"W_xh": 0 * W_xh, "W_hh": 0 * W_hh, "b": 0 * b_xh}
    if W_ho is not None and b_o is not None:
        grads["W_ho"], grads["b_o"] = 0 * W_ho, 0 * b_o
    dz_next = np.zeros_like(b_xh)  # dL/dz_{t+1}
    for t in range(T, 0, -1):
        a_t, z_t, h_prev = as_[t - 1], zs[t - 1], hs[t - 1]
        da_t = np.zeros_like(a_t)
        if S[t - 1]:
            y_t = Y[t - 1]
            if loss is LossName.MSE:
                o_t = a_t if g is None else g(a_t)
                L += c * float(np.sum((o_t - y_t) ** 2))
                da_t = output_vjp(g, a_t[np.newaxis], 2 * c * (o_t - y_t)[np.newaxis])[0]
            else:
                p_t = softmax(a_t)
                L += -c * float(np.log(p_t[int(y_t[0])]))
                da_t = c * (p_t - np.eye(len(a_t))[int(y_t[0])])
        if truncate is not None and t % truncate == 0:
            dz_next = np.zeros_like(dz_next)  # h_t.detach(): nothing comes from the future
        from_output = da_t if W_ho is None else W_ho.T @ da_t
        dh_t = from_output + W_hh.T @ dz_next
        dz_t = slope(f, z_t) * dh_t
        grads["W_xh"] = grads["W_xh"] + np.outer(dz_t, X[t - 1])
        grads["W_hh"] = grads["W_hh"] + np.outer(dz_t, h_prev)
        grads["b"] = grads["b"] + dz_t
        if W_ho is not None:
            grads["W_ho"] = grads["W_ho"] + np.outer(da_t, hs[t])
            grads["b_o"] = grads["b_o"] + da_t
        dz_next = dz_t
    grads["h0"] = W_hh.T @ dz_next
    return L, named_gradients(net, grads)


# -- the same with arrays -------------------------------------------------------------


class Backward(NamedTuple):
    """Every number of one BPTT, as arrays; row t - 1 holds step t."""

    X: FloatArray  # T x I
    Z: FloatArray  # T x H          z_t
    H: FloatArray  # T x H          h_t
    F: FloatArray  # T x H          f'(z_t)
    A: FloatArray  # T x O          a_t = W_ho h_t + b_o (h_t without an output layer)
    O: FloatArray  # T x O          o_t = g(a_t)
    P: FloatArray | None  # T x O   softmax(a_t), cross-entropy only
    losses: FloatArray  # T         c L(t), nan where t carries no loss
    loss: float  # L
    scale: float  # c
    dO: FloatArray  # T x O         dL/do_t (cross-entropy: dL/da_t, the logits')
    dA: FloatArray  # T x O         dL/da_t
    from_output: FloatArray  # T x H   W_ho^T dL/da_t
    from_future: FloatArray  # T x H   W_hh^T dL/dz_{t+1}
    dH: FloatArray  # T x H         dL/dh_t
    dZ: FloatArray  # T x H         dL/dz_t
    gradients: Gradients
    S: np.ndarray[Any, np.dtype[np.bool_]]
    states: tuple[FloatArray, ...] = ()  # h_t (and an LSTM's c_t), T x H each
    before: tuple[FloatArray, ...] = ()  # the state before step t: h_{t-1} (and c_{t-1})
    dC: FloatArray | None = None  # T x H  dL/dc_t, an LSTM's (future and h_t's parts)


def has_step_back(cell: RecurrentCell) -> bool:
    """Whether bptt takes the cell apart: step_back(z_t, state_{t-1}, state_t, dL/dstate_t)
    -> (dL/dz_t, dL/dstate_t, dL/dstate_{t-1}) with slopes and parameter_gradients; an
    LSTM's without peepholes or a projection (they are not written yet)."""
    extras = (getattr(cell, "peepholes", None), getattr(cell, "W_hr", None))
    return callable(getattr(cell, "step_back", None)) and all(e is None for e in extras)


def bptt(
    net: Network,
    X: FloatArray,
    targets: Targets,
    loss: LossName,
    reduction: Reduction = Reduction.SUM,
    truncate: int | None = None,
) -> Backward:
    """reference_bptt's numbers with every step kept, for a one-layer forward network."""
    cell, g = net.cell, net.output_activation
    step_back = cell.step_back
    S = targets.S
    T = len(X)
    # Forward, the cell's own fast run: Z is T x GH (G gates, 1 for Elman), each state
    # array (h; and c for an LSTM) T x H; `before` holds each step's state before it.
    c_0 = None if net.c0 is None else net.c0[:1]
    start = cell.initial_state(net.h0[:1], c_0)
    Z3, states3, _ = cell.run(X[:, np.newaxis, :], np.array([T]), start)
    Z = Z3[:, 0]
    states = tuple(array[:, 0] for array in states3)  # h_t (and c_t), row t - 1
    before = tuple(np.vstack([s0, s[:-1]]) for s0, s in zip(start, states, strict=True))
    H, H_prev = states[0], before[0]  # h_t and h_{t-1}, T x H
    A = H if net.W_ho is None or net.b_o is None else H @ net.W_ho.T + net.b_o  # T x O
    O = np.array(net.output(H))  # o_t = g(a_t)
    c = scale(loss, reduction, int(S.sum()), A.shape[1])
    # The loss and dL/da_t at the steps in S.
    losses, dO, dA, P = step_losses(loss, g, A, O, targets, c)
    # Backward: only dL/dz_t is a loop; each cell steps back its own way (step_back).
    F = cell.slopes(Z)
    from_output = dA if net.W_ho is None else dA @ net.W_ho  # rows: W_ho^T dL/da_t
    from_future, dZ = np.zeros_like(H), np.zeros_like(Z)
    dC = None if len(states) < 2 else np.zeros_like(states[1])  # dL/dc_t, an LSTM's
    # What step t + 1 sends back to the state at t: W_hh^T dL/dz_{t+1} (and f ⊙ dL/dc_{t+1})
    sent_back: State = tuple(np.zeros(s.shape[1]) for s in states)
    for t in range(T, 0, -1):
        if truncate is not None and t % truncate == 0:
            sent_back = tuple(np.zeros_like(d) for d in sent_back)  # a chunk's end: detach
        from_future[t - 1] = sent_back[0]
        dstate_t = (from_output[t - 1] + sent_back[0], *sent_back[1:])
        state_prev = tuple(s[t - 1] for s in before)
        state_t = tuple(s[t - 1] for s in states)
        dZ[t - 1], complete, sent_back = step_back(Z[t - 1], state_prev, state_t, dstate_t)
        if dC is not None:
            dC[t - 1] = complete[1]
    W_xh, W_hh, b_xh, b_hh = cell.parameter_gradients(X, Z, H_prev, dZ)
    grads: dict[str, Any] = {"W_xh": W_xh, "W_hh": W_hh, "b_xh": b_xh, "b_hh": b_hh}
    grads["h0"] = sent_back[0]
    if dC is not None:
        grads["c0"] = sent_back[1]
    if net.W_ho is not None:
        grads["W_ho"], grads["b_o"] = dA.T @ H, dA.sum(axis=0)
    return Backward(
        X=X,
        Z=Z,
        H=H,
        F=F,
        A=A,
        O=O,
        P=P,
        losses=losses,
        loss=float(np.nansum(losses)),
        scale=c,
        dO=dO,
        dA=dA,
        from_output=from_output,
        from_future=from_future,
        dH=from_output + from_future,
        dZ=dZ,
        gradients=named_gradients(net, grads),
        S=S,
        states=states,
        before=before,
        dC=dC,
    )
