"""The math of an Elman RNN's forward pass, as in the lecture; numpy only, no I/O.

For t = 1..T, with the same weights at every step:

    z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh     pre-activation
    h_t = f(z_t)                                    hidden state (f(clip(z_t)) with a clip)
    o_t = g(W_ho h_t + b_o)                         output (o_t = h_t without W_ho)

Shapes follow PyTorch (rows are outputs), with I inputs, H hidden units, O outputs:
W_xh is H x I, W_hh is H x H, b_xh and b_hh are H, W_ho is O x (D*H), b_o is O.
A sequence X is T x I: row t-1 holds x_t.

As nn.RNN, a network may stack L layers (layer k > 1 reads layer k-1's states) and run
in D = 2 directions (h_t = [h_t forward; h_t reverse]); h0 then holds L*D states in
PyTorch's order (layer by layer, forward first). Sequences of different lengths run as
one batch: one matrix product per step for all of them, each stopping at its own end.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt

from rnncli.choices import ACTIVATION_NAMES, Direction, Mode, canonical_activation

FloatArray = npt.NDArray[np.floating[Any]]
ActivationFunction = Callable[[FloatArray, Any, Any], FloatArray]


# -- activations ----------------------------------------------------------------------


def sigmoid(z: FloatArray) -> FloatArray:
    """1 / (1 + e^-z), computed as exp(-log(1 + e^-z)) so no z overflows."""
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(-np.logaddexp(0.0, -z)).astype(z.dtype, copy=False)


def softmax(z: FloatArray) -> FloatArray:
    """e^{z_k} / sum_j e^{z_j} over the last axis, shifted by max(z) against overflow."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        p: FloatArray = e / np.sum(e, axis=-1, keepdims=True)
    return p


def relu(z: FloatArray) -> FloatArray:
    """max(0, z)."""
    return np.maximum(z, 0)


#: f(z; alpha, beta) for every activation, as ONNX's RNN defines them.
_FUNCTIONS: dict[str, ActivationFunction] = {
    "tanh": lambda z, a, b: np.tanh(z),
    "relu": lambda z, a, b: relu(z),
    "sigmoid": lambda z, a, b: sigmoid(z),
    "identity": lambda z, a, b: z,
    "affine": lambda z, a, b: a * z + b,  # alpha z + beta
    "leaky_relu": lambda z, a, b: np.where(z >= 0, z, a * z),
    "thresholded_relu": lambda z, a, b: np.where(z > a, z, 0).astype(z.dtype),  # z > alpha
    "scaled_tanh": lambda z, a, b: a * np.tanh(b * z),  # alpha tanh(beta z)
    "hard_sigmoid": lambda z, a, b: np.clip(a * z + b, 0, 1),  # min(max(alpha z + beta, 0), 1)
    "elu": lambda z, a, b: np.where(z >= 0, z, a * np.expm1(np.minimum(z, 0))),
    "softsign": lambda z, a, b: z / (1 + np.abs(z)),
    "softplus": lambda z, a, b: np.logaddexp(0, z).astype(z.dtype, copy=False),  # log(1+e^z)
    "softmax": lambda z, a, b: softmax(z),
}

#: (alpha, beta) where an activation has them: the defaults of ONNX's operators.
PARAMETERS: dict[str, tuple[float, float]] = {
    "affine": (1.0, 0.0),
    "leaky_relu": (0.01, 0.0),
    "thresholded_relu": (1.0, 0.0),
    "scaled_tanh": (1.0, 1.0),
    "hard_sigmoid": (0.2, 0.5),
    "elu": (1.0, 0.0),
}
#: Which of alpha and beta each activation reads.
PARAMETER_NAMES: dict[str, tuple[str, ...]] = {
    "affine": ("alpha", "beta"),
    "leaky_relu": ("alpha",),
    "thresholded_relu": ("alpha",),
    "scaled_tanh": ("alpha", "beta"),
    "hard_sigmoid": ("alpha", "beta"),
    "elu": ("alpha",),
}


@dataclass(frozen=True)
class Activation:
    """An activation function with its parameters, such as leaky_relu with alpha = 0.1."""

    name: str
    alpha: float = 0.0
    beta: float = 0.0

    @classmethod
    def named(cls, name: str, alpha: float | None = None, beta: float | None = None) -> Activation:
        """The activation `name` (any spelling), with ONNX's defaults for what is not given."""
        canonical = canonical_activation(name)
        if canonical not in _FUNCTIONS:
            raise ValueError(f"unknown activation {name!r}")
        default_alpha, default_beta = PARAMETERS.get(canonical, (0.0, 0.0))
        return cls(
            canonical,
            default_alpha if alpha is None else alpha,
            default_beta if beta is None else beta,
        )

    def __call__(self, z: FloatArray) -> FloatArray:
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return _FUNCTIONS[self.name](z, z.dtype.type(self.alpha), z.dtype.type(self.beta))

    def into(self, dtype: np.dtype[Any]) -> Callable[[FloatArray, FloatArray], FloatArray]:
        """f as a plain function (z, out) -> out in `dtype`, for tight loops: it writes
        f(z) into out and switches no error state."""
        if self.name == "tanh":
            return cast(Callable[[FloatArray, FloatArray], FloatArray], np.tanh)
        if self.name == "relu":
            return lambda z, out: np.maximum(z, 0, out=out)
        function, a, b = _FUNCTIONS[self.name], dtype.type(self.alpha), dtype.type(self.beta)

        def into(z: FloatArray, out: FloatArray) -> FloatArray:
            out[...] = function(z, a, b)
            return out

        return into

    @property
    def parameters(self) -> dict[str, float]:
        """The parameters this activation reads, by name."""
        values = {"alpha": self.alpha, "beta": self.beta}
        return {key: values[key] for key in PARAMETER_NAMES.get(self.name, ())}

    def __str__(self) -> str:
        """`tanh`, or `leaky_relu(alpha=0.1)`."""
        parameters = ", ".join(f"{k}={v!r}" for k, v in self.parameters.items())
        return f"{self.name}({parameters})" if parameters else self.name


TANH = Activation("tanh")


# -- the network ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One layer in one direction: z_t = W_xh x_t + b_xh + W_hh h_{t-1} + b_hh.

    W_xh: H x I (I: the layer's input size), W_hh: H x H, b_xh: H, b_hh: H.
    """

    W_xh: FloatArray
    W_hh: FloatArray
    b_xh: FloatArray
    b_hh: FloatArray
    bias: str = "two"  # how the config gave the biases: "two", "one" (b_h) or "none"

    def astype(self, dtype: npt.DTypeLike) -> Cell:
        def cast(array: FloatArray) -> FloatArray:
            return np.asarray(array, dtype=dtype)

        return Cell(cast(self.W_xh), cast(self.W_hh), cast(self.b_xh), cast(self.b_hh), self.bias)


@dataclass(frozen=True)
class Network:
    """An Elman RNN: L layers of D directions, and an optional output layer.

    layers[k][d] is layer k + 1 in direction d (0 forward, 1 reverse); h0 is (L*D) x H;
    W_ho is O x (D*H) and b_o is O, or both None (then o_t = h_t of the top layer).
    """

    layers: tuple[tuple[Cell, ...], ...]
    h0: FloatArray
    W_ho: FloatArray | None = None
    b_o: FloatArray | None = None
    activation: Activation = TANH
    output_activation: Activation | None = None
    direction: Direction = Direction.FORWARD
    clip: float | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        D = 2 if self.direction is Direction.BIDIRECTIONAL else 1
        if not self.layers or any(len(cells) != D for cells in self.layers):
            raise ValueError(f"every layer needs {D} direction(s)")
        H = self.layers[0][0].W_xh.shape[0]
        for k, cells in enumerate(self.layers):
            for cell in cells:
                inputs = cell.W_xh.shape[1] if k == 0 else D * H
                if cell.W_xh.shape != (H, inputs) or cell.W_hh.shape != (H, H):
                    raise ValueError(f"layer {k + 1}: W_xh must be {H}x{inputs}, W_hh {H}x{H}")
                if cell.b_xh.shape != (H,) or cell.b_hh.shape != (H,):
                    raise ValueError(f"layer {k + 1}: biases must have {H} values")
        if self.h0.shape != (len(self.layers) * D, H):
            raise ValueError(f"h0 must be {len(self.layers) * D} x {H}")
        if (self.W_ho is None) != (self.b_o is None):
            raise ValueError("W_ho and b_o come together")
        if (
            self.W_ho is not None
            and self.b_o is not None
            and (self.W_ho.shape[1] != D * H or self.b_o.shape != (self.W_ho.shape[0],))
        ):
            raise ValueError(f"W_ho must be O x {D * H} and b_o must have O values")
        if self.output_activation is not None and self.W_ho is None:
            raise ValueError("an output activation needs an output layer")
        if self.activation.name not in ACTIVATION_NAMES:
            raise ValueError(f"{self.activation.name} cannot be a hidden activation")

    @property
    def bias(self) -> str:
        """How the config gave the biases: "two", "one" (b_h) or "none"; "mixed" where
        its cells differ."""
        forms = {cell.bias for cells in self.layers for cell in cells}
        return forms.pop() if len(forms) == 1 else "mixed"

    # The first layer's forward cell, under the lecture's names.
    @property
    def W_xh(self) -> FloatArray:
        return self.layers[0][0].W_xh

    @property
    def W_hh(self) -> FloatArray:
        return self.layers[0][0].W_hh

    @property
    def b_xh(self) -> FloatArray:
        return self.layers[0][0].b_xh

    @property
    def b_hh(self) -> FloatArray:
        return self.layers[0][0].b_hh

    @property
    def input_size(self) -> int:
        return int(self.W_xh.shape[1])

    @property
    def hidden_size(self) -> int:
        return int(self.W_xh.shape[0])

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])

    @property
    def state_size(self) -> int:
        """D*H: the size of h_t, both directions side by side."""
        return self.num_directions * self.hidden_size

    @property
    def output_size(self) -> int:
        """O, or D*H when there is no output layer (then o_t = h_t)."""
        return self.state_size if self.W_ho is None else int(self.W_ho.shape[0])

    @property
    def has_output_layer(self) -> bool:
        return self.W_ho is not None

    @property
    def is_simple(self) -> bool:
        """One layer, run forward: the lecture's network."""
        return self.num_layers == 1 and self.direction is Direction.FORWARD

    def astype(self, dtype: npt.DTypeLike) -> Network:
        """The same network with every array in `dtype` (itself, where they all are)."""
        weights = [(c.W_xh, c.W_hh, c.b_xh, c.b_hh) for cells in self.layers for c in cells]
        arrays = (self.h0, self.W_ho, self.b_o, *(a for four in weights for a in four))
        if all(array is None or array.dtype == dtype for array in arrays):
            return self

        def cast(array: FloatArray | None) -> FloatArray | None:
            return None if array is None else np.asarray(array, dtype=dtype)

        return replace(
            self,
            layers=tuple(tuple(cell.astype(dtype) for cell in cells) for cells in self.layers),
            h0=np.asarray(self.h0, dtype=dtype),
            W_ho=cast(self.W_ho),
            b_o=cast(self.b_o),
        )


def single_layer(
    W_xh: FloatArray,
    W_hh: FloatArray,
    b_xh: FloatArray,
    b_hh: FloatArray,
    h0: FloatArray | None = None,
    W_ho: FloatArray | None = None,
    b_o: FloatArray | None = None,
    activation: str | Activation = "tanh",
    output_activation: str | Activation | None = None,
    name: str | None = None,
    bias: str = "two",
) -> Network:
    """The lecture's network: one layer, forward; h0 is a vector of H (zeros by default)."""
    H = W_xh.shape[0]
    return Network(
        layers=((Cell(W_xh, W_hh, b_xh, b_hh, bias),),),
        h0=np.zeros((1, H)) if h0 is None else np.asarray(h0, dtype=np.float64).reshape(1, H),
        W_ho=W_ho,
        b_o=b_o,
        activation=_activation(activation),
        output_activation=None if output_activation is None else _activation(output_activation),
        name=name,
    )


def _activation(spec: str | Activation) -> Activation:
    return spec if isinstance(spec, Activation) else Activation.named(spec)


# -- the forward pass -----------------------------------------------------------------


class Forward(NamedTuple):
    """A forward pass of one sequence, as arrays; row k of each holds step t = k + 1.

    The arrays are views into the batch's arrays and may share memory (O is a read-only
    view of H where there is no output layer): read them, copy them to change them.
    """

    X: FloatArray  # T x I        inputs x_t as run (with the mode's extra steps)
    Z: FloatArray  # T x (D*H)    pre-activations z_t of the top layer
    H: FloatArray  # T x (D*H)    hidden states h_t of the top layer
    O: FloatArray  # N x O        outputs o_t at output_steps
    h0: FloatArray  # (L*D) x H   initial states
    mode: Mode
    layers: FloatArray  # T x L x (D*H)   every layer's state at every step
    h_n: FloatArray  # (L*D) x H   final states (a reverse direction ends at t = 1)
    first_output: int  # the first step t that makes an output

    @property
    def output_steps(self) -> range:
        """The steps t (from 1) that made an output, one per row of O."""
        return range(self.first_output, len(self.X) + 1)

    def output_row(self, k: int) -> int | None:
        """The row of O that step t = k + 1 made, or None where it made no output."""
        return k + 1 - self.first_output if k + 1 in self.output_steps else None


def forward(
    net: Network,
    X: FloatArray,
    h0: FloatArray | None = None,
    mode: Mode = Mode.MANY_TO_MANY,
    steps: int | None = None,
    feedback: bool = False,
    dtype: npt.DTypeLike = np.float64,
) -> Forward:
    """Run the network over one sequence X (T x I, T >= 1); see forward_batch."""
    return forward_batch(net, [X], h0, mode, steps, feedback, dtype)[0]


def forward_batch(
    net: Network,
    sequences: Sequence[FloatArray],
    h0: FloatArray | None = None,
    mode: Mode = Mode.MANY_TO_MANY,
    steps: int | None = None,
    feedback: bool = False,
    dtype: npt.DTypeLike = np.float64,
) -> list[Forward]:
    """Run the network over every sequence at once, each from h0 ((L*D) x H, or H).

    Modes: many-to-many emits o_t at every step; many-to-one o_T only; one-to-many reads
    one row x_1 and runs `steps` steps, with zero inputs after the first or, with
    `feedback`, o_{t-1}; many-to-many-delayed reads x_1..x_T, then runs `steps` more
    steps with zero input, each emitting. Everything is computed in `dtype`.
    """
    dtype = np.dtype(dtype)
    net = net.astype(dtype)
    I, B = net.input_size, len(sequences)
    if B == 0:
        raise ValueError("no sequences")
    for X in sequences:
        if X.ndim != 2 or X.shape[1] != I or len(X) == 0:
            raise ValueError(f"each sequence must be T x {I} with T >= 1, not {X.shape}")
    h_0 = _initial_states(net, h0, dtype)
    if mode in (Mode.ONE_TO_MANY, Mode.MANY_TO_MANY_DELAYED) and net.direction != "forward":
        raise ValueError(f"{mode} runs forward in time only: its later inputs are made as it goes")
    inputs, first_outputs = _prepare(sequences, mode, steps, dtype)
    if mode is Mode.ONE_TO_MANY and feedback:
        return _feedback_run(net, inputs, h_0, mode)
    return _run_in_parts(net, inputs, first_outputs, h_0, mode)


#: A batch runs as sub-batches of this many sequences (the last may hold fewer). The
#: split depends on the input alone, never on the machine: a matrix product's last bits
#: can depend on its number of rows, so the same input gives the same bits everywhere.
PART_SEQUENCES = 256


def _run_in_parts(
    net: Network,
    inputs: list[FloatArray],
    first_outputs: list[int],
    h_0: FloatArray,
    mode: Mode,
) -> list[Forward]:
    """Every sequence, a sub-batch at a time, on as many cores as there are to use.

    Sequences are independent, so sub-batches run side by side in threads (numpy lets
    go of the interpreter inside its loops); results come back in input order.
    """
    parts = [
        slice(start, start + PART_SEQUENCES) for start in range(0, len(inputs), PART_SEQUENCES)
    ]
    results: list[list[Forward]] = [[] for _ in parts]
    failures: list[BaseException] = []

    def run(indices: range) -> None:
        try:
            for i in indices:
                part = parts[i]
                results[i] = _run_together(net, inputs[part], first_outputs[part], h_0, mode)
        except BaseException as error:  # handed to the caller's thread below
            failures.append(error)

    workers = min(cores(), len(parts))
    if workers == 1:
        run(range(len(parts)))
    else:
        import threading

        # Daemon threads, and a join that Ctrl-C interrupts: an interrupted run ends at
        # once rather than when every sub-batch is done.
        threads = [
            threading.Thread(target=run, args=(range(w, len(parts), workers),), daemon=True)
            for w in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return [result for part in results for result in part]


def cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _run_together(
    net: Network,
    inputs: list[FloatArray],
    first_outputs: list[int],
    h_0: FloatArray,
    mode: Mode,
) -> list[Forward]:
    """Every sequence as one padded batch: one matrix product per step for all of them."""
    dtype, I, B = h_0.dtype, net.input_size, len(inputs)
    lengths = np.array([len(X) for X in inputs])
    T, L, D, H = int(lengths.max()), net.num_layers, net.num_directions, net.hidden_size
    if np.all(lengths == T):
        batch = np.stack(inputs, axis=1)  # time x sequence x feature
    else:
        batch = np.zeros((T, B, I), dtype=dtype)  # padded with zeros after each end
        for b, X in enumerate(inputs):
            batch[: len(X), b] = X
    h_n = np.empty((B, L * D, H), dtype=dtype)
    layer_input = batch
    layer_outputs: list[FloatArray] = []
    Zs: list[FloatArray] = []
    for k, cells in enumerate(net.layers):
        Zs, Hs = [], []
        for d, cell in enumerate(cells):
            reverse = (d == 1) or net.direction is Direction.REVERSE
            start = np.repeat(h_0[k * D + d][np.newaxis, :], B, axis=0)
            Z, Hd, last = _run_cell(cell, net, layer_input, lengths, start, reverse)
            Zs.append(Z)
            Hs.append(Hd)
            h_n[:, k * D + d] = last
        layer_input = np.concatenate(Hs, axis=2) if D > 1 else Hs[0]  # T x B x (D*H)
        layer_outputs.append(layer_input)
    # Every layer's h_t, T x B x L x (D*H): a view of the top layer when there is one.
    states = layer_input[:, :, np.newaxis] if L == 1 else np.stack(layer_outputs, axis=2)
    Z_top = np.concatenate(Zs, axis=2) if D > 1 else Zs[0]  # the top layer's z_t

    # The output layer after the loop, one matrix product over every step:
    #   o_t = g(W_ho h_t + b_o)                                        (T x B x O)
    O_all = _output_layer(net, layer_input)
    if mode is Mode.MANY_TO_ONE and net.direction != "forward":
        # Read whole, the sequence ends at t = T forward and at t = 1 in reverse: o comes
        # from those final states of the top layer, [h_T forward; h_1 reverse].
        top = h_n[:, (L - 1) * D :]  # B x D x H
        O_final = _output_layer(net, top.reshape(B, D * H))
    results = []
    for b, X in enumerate(inputs):
        n = len(X)
        if mode is Mode.MANY_TO_ONE and net.direction != "forward":
            O = O_final[b : b + 1]
        else:
            O = O_all[first_outputs[b] - 1 : n, b]
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
            )
        )
    return results


def _initial_states(net: Network, h0: FloatArray | None, dtype: np.dtype) -> FloatArray:
    shape = net.h0.shape
    if h0 is None:
        return net.h0
    h0 = np.asarray(h0, dtype=dtype)
    if h0.size != net.h0.size:
        raise ValueError(f"h0 must hold {shape[0]} x {shape[1]} values")
    return h0.reshape(shape)


def _prepare(
    sequences: Sequence[FloatArray], mode: Mode, steps: int | None, dtype: np.dtype
) -> tuple[list[FloatArray], list[int]]:
    """The inputs each sequence runs over, and the first step t that emits."""
    inputs, first = [], []
    for X in sequences:
        X = np.asarray(X, dtype=dtype)
        if mode is Mode.ONE_TO_MANY:
            if len(X) != 1 or not steps:
                raise ValueError("one-to-many reads one row x_1 and needs steps >= 1")
            X = np.vstack([X, np.zeros((steps - 1, X.shape[1]), dtype=dtype)])
            first.append(1)
        elif mode is Mode.MANY_TO_MANY_DELAYED:
            if not steps:
                raise ValueError("many-to-many-delayed needs steps >= 1")
            first.append(len(X) + 1)
            X = np.vstack([X, np.zeros((steps, X.shape[1]), dtype=dtype)])
        else:
            first.append(len(X) if mode is Mode.MANY_TO_ONE else 1)
        inputs.append(X)
    return inputs, first


def _run_cell(
    cell: Cell,
    net: Network,
    inputs: FloatArray,
    lengths: npt.NDArray[np.int_],
    h_start: FloatArray,
    reverse: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One layer in one direction over the padded batch inputs (T x B x I).

    Returns Z and H (T x B x H, in time order) and each sequence's final state (B x H).
    A sequence stops at its own length: its state is not changed by the padding.
    """
    T = inputs.shape[0]
    if reverse:
        inputs = _reversed_within(inputs, lengths)
    clip = net.clip
    with np.errstate(all="ignore"):
        f = net.activation.into(inputs.dtype)
        # The input part of every step of every sequence at once, one matrix product:
        #   Z[t] starts as W_xh x_t + b_xh + b_hh                      (T x B x H)
        Z: FloatArray = inputs @ cell.W_xh.T
        Z += cell.b_xh + cell.b_hh
        H: FloatArray = np.empty_like(Z)
        h: FloatArray = h_start
        # Only the recurrence is a loop: z_t += W_hh h_{t-1};  h_t = f(z_t). It walks the
        # rows of Z and H (cheaper than indexing them) and writes into preallocated rows.
        # Bound methods and positional out= keep each call's own cost down.
        dot, add = np.dot, np.add
        if len(lengths) == 1:
            # One sequence: vectors, W_hh h_{t-1} a matrix-vector product.
            W_hh_dot, h_1 = cell.W_hh.dot, h_start[0]
            product = np.empty_like(h_1)
            for z, out in zip(Z[:, 0], H[:, 0], strict=True):
                W_hh_dot(h_1, product)
                add(z, product, z)
                h_1 = f(z if clip is None else np.clip(z, -clip, clip), out)
            h = h_1[np.newaxis, :]
        else:
            W_hh_T = np.ascontiguousarray(cell.W_hh.T)
            # alive[t]: the sequences still running at step t + 1        (T x B x 1)
            alive = (np.arange(T)[:, np.newaxis] < lengths)[:, :, np.newaxis]
            ragged = not alive.all()
            products = np.empty_like(h_start)
            for t, (z, out) in enumerate(zip(Z, H, strict=True)):
                dot(h, W_hh_T, products)
                add(z, products, z)
                h_new = f(z if clip is None else np.clip(z, -clip, clip), out)
                h = np.where(alive[t], h_new, h) if ragged else h_new
    if reverse:
        Z, H = _reversed_within(Z, lengths), _reversed_within(H, lengths)
    return Z, H, h


def _reversed_within(values: FloatArray, lengths: npt.NDArray[np.int_]) -> FloatArray:
    """Each sequence's steps in reverse order within its own length; padding stays put."""
    T, B = values.shape[:2]
    t = np.arange(T)[:, np.newaxis]
    index = np.where(t < lengths, lengths - 1 - t, t)  # T x B: its own inverse
    return values[index, np.arange(B)]


def _output_layer(net: Network, states: FloatArray) -> FloatArray:
    if net.W_ho is None or net.b_o is None:
        return _read_only(states)  # o_t = h_t: the same numbers, not a copy of them
    g = net.output_activation or Activation("identity")
    with np.errstate(all="ignore"):
        return g(states @ net.W_ho.T + net.b_o)


def _read_only(values: FloatArray) -> FloatArray:
    view = values.view()
    view.flags.writeable = False
    return view


def _feedback_run(
    net: Network, inputs: list[FloatArray], h_0: FloatArray, mode: Mode
) -> list[Forward]:
    """one-to-many with feedback: x_1 given, then x_t = o_{t-1}; every layer steps at once."""
    if net.output_size != net.input_size:
        raise ValueError(f"feedback needs as many outputs as inputs ({net.input_size})")
    X = np.stack(inputs, axis=1)  # T x B x I; rows after the first are replaced
    T, B, _ = X.shape
    L, H = net.num_layers, net.hidden_size
    Z = np.empty((T, B, H), dtype=X.dtype)
    states = np.empty((T, B, L, H), dtype=X.dtype)
    O = np.empty((T, B, net.output_size), dtype=X.dtype)
    h = [np.repeat(h_0[k][np.newaxis, :], B, axis=0) for k in range(L)]
    biases = [cell.b_xh + cell.b_hh for (cell,) in net.layers]
    f, clip = net.activation, net.clip
    with np.errstate(all="ignore"):
        for t in range(T):
            if t > 0:
                X[t] = O[t - 1]  # x_t = o_{t-1}
            layer_input = X[t]
            for k, (cell,) in enumerate(net.layers):
                # the same sum, in the same order, as _run_cell's
                z = layer_input @ cell.W_xh.T + biases[k]
                z += h[k] @ cell.W_hh.T
                h[k] = f(z if clip is None else np.clip(z, -clip, clip))
                states[t, :, k] = layer_input = h[k]
            Z[t] = z
            O[t] = _output_layer(net, h[-1])
    return [
        Forward(
            X=X[:, b],
            Z=Z[:, b],
            H=states[:, b, -1],
            O=O[:, b],
            h0=h_0,
            mode=mode,
            layers=states[:, b],
            h_n=np.stack([h[k][b] for k in range(L)]),
            first_output=1,
        )
        for b in range(B)
    ]


def first_non_finite(result: Forward) -> tuple[str, int, int] | None:
    """Where the result first stops being finite: ("h", t, unit) or ("o", t, unit), from 1."""
    candidates = []
    lower = result.layers[:, :-1].reshape(len(result.layers), -1)  # T x ((L-1)*D*H)
    for name, values, steps in (
        ("h", result.H, range(1, len(result.H) + 1)),
        ("a lower layer's h", lower, range(1, len(result.H) + 1)),
        ("o", result.O, result.output_steps),
    ):
        bad = np.argwhere(~np.isfinite(values))
        if len(bad):
            row, unit = bad[0]
            candidates.append((steps[row], name, int(unit) + 1))
    if not candidates:
        return None
    t, name, unit = min(candidates)
    return name, t, unit
