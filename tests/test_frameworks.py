"""Cross-checks of `rnncli.core.forward.forward_batch` against three frameworks' Elman RNNs.

The references are:

* `torch.nn.RNN`: stacked (2 and 3 layers), one or two directions, `tanh` and `relu`, in
  float64 and float32, one sequence at a time and as a packed batch of sequences of
  different lengths (`torch.nn.utils.rnn.pack_sequence`);
* the `onnx` package's reference evaluator (`onnx.reference.ReferenceEvaluator`) running
  one ONNX `RNN` node (opset 14) in float64 with `Tanh` and `Affine`, in every direction;
* `onnxruntime` running the same node in float32 with every ONNX RNN activation, given
  explicit alpha and beta, with and without `clip`, on a batch with `sequence_lens`.

Each case is a seeded random network with a batch of random sequences (I, H in 1..5,
T in 1..8); the tests of a framework that is not installed are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from onnx import ModelProto, TensorProto, helper
from onnx.reference import ReferenceEvaluator

from rnncli.cells.activations import Activation, FloatArray
from rnncli.core.forward import forward, forward_batch
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network
from rnncli.option_values import Direction
from tests.conftest import requires

SEEDS = range(12)
ONNX_OPSET = 14

requires_torch = requires("torch")
requires_onnxruntime = requires("onnxruntime")

#: rnncli's activation -> (ONNX's name, alpha, beta), with values other than the defaults.
#: ONNX stores attributes as float32, so the values are exact in float32 (0.7 would not
#: be, and would differ from rnncli's float64 0.7 by 1e-8). Activations without
#: parameters are given values too: both sides must ignore them. ThresholdedRelu keeps
#: x > alpha in onnxruntime and in rnncli (test_modes checks z == alpha by hand).
ONNX_ACTIVATIONS: dict[str, tuple[str, float, float]] = {
    "tanh": ("Tanh", 0.625, 0.375),
    "relu": ("Relu", 0.625, 0.375),
    "sigmoid": ("Sigmoid", 0.625, 0.375),
    "identity": ("Affine", 1.0, 0.0),
    "affine": ("Affine", 0.75, 0.25),
    "leaky_relu": ("LeakyRelu", 0.125, 0.375),
    "thresholded_relu": ("ThresholdedRelu", 0.25, 0.375),
    "scaled_tanh": ("ScaledTanh", 1.5, 0.75),
    "hard_sigmoid": ("HardSigmoid", 0.5, 0.25),
    "elu": ("Elu", 0.75, 0.375),
    "softsign": ("Softsign", 0.625, 0.375),
    "softplus": ("Softplus", 0.625, 0.375),
}


# -- random networks and sequences ----------------------------------------------------


def _random_sizes(rng: np.random.Generator) -> tuple[int, int]:
    """I and H, each in 1..5."""
    return int(rng.integers(1, 6)), int(rng.integers(1, 6))


def _random_sequences(
    rng: np.random.Generator, input_size: int, batch_size: int
) -> list[FloatArray]:
    """batch_size sequences T_b x I with T_b in 1..8."""
    return [rng.normal(size=(int(rng.integers(1, 9)), input_size)) for _ in range(batch_size)]


def _padded(sequences: Sequence[FloatArray], dtype: npt.DTypeLike) -> FloatArray:
    """The sequences as one [seq_length, batch, input] array, zeros after each one's end."""
    T = max(len(X) for X in sequences)
    batch = np.zeros((T, len(sequences), sequences[0].shape[1]), dtype=dtype)
    for b, X in enumerate(sequences):
        batch[: len(X), b] = X
    return batch


# -- torch ------------------------------------------------------------------------------


def _torch_rnn(net: Network, nonlinearity: str, dtype: npt.DTypeLike) -> Any:
    """A torch.nn.RNN in dtype holding the network's weights."""
    import torch

    torch.set_num_threads(1)
    rnn = torch.nn.RNN(
        net.input_size,
        net.hidden_size,
        num_layers=net.num_layers,
        nonlinearity=nonlinearity,
        bidirectional=net.direction is Direction.BIDIRECTIONAL,
    )
    rnn = rnn.double() if np.dtype(dtype) == np.float64 else rnn.float()
    with torch.no_grad():
        for k, cells in enumerate(net.layers):
            for d, cell in enumerate(cells):
                suffix = f"_l{k}" + ("_reverse" if d == 1 else "")
                getattr(rnn, f"weight_ih{suffix}").copy_(torch.from_numpy(cell.W_xh))
                getattr(rnn, f"weight_hh{suffix}").copy_(torch.from_numpy(cell.W_hh))
                getattr(rnn, f"bias_ih{suffix}").copy_(torch.from_numpy(cell.b_xh))
                getattr(rnn, f"bias_hh{suffix}").copy_(torch.from_numpy(cell.b_hh))
    return rnn


def _torch_initial_states(net: Network, batch_size: int, dtype: npt.DTypeLike) -> Any:
    """h0 as torch wants it: (L*D) x batch x H."""
    import torch

    h0 = np.repeat(net.h0[:, np.newaxis, :], batch_size, axis=1)
    return torch.from_numpy(h0.astype(dtype))


@requires_torch
@pytest.mark.parametrize(("dtype", "atol"), [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [2, 3])
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_torch_rnn(
    seed: int,
    num_layers: int,
    bidirectional: bool,
    nonlinearity: str,
    dtype: type[np.floating[Any]],
    atol: float,
    random_network: Callable[..., Network],
) -> None:
    import torch

    rng = np.random.default_rng(seed)
    I, H = _random_sizes(rng)
    direction = Direction.BIDIRECTIONAL if bidirectional else Direction.FORWARD
    net = random_network(rng, I, H, layers=num_layers, direction=direction, activation=nonlinearity)
    (X,) = _random_sequences(rng, I, 1)

    rnn = _torch_rnn(net, nonlinearity, dtype)
    with torch.no_grad():
        out, h_n = rnn(
            torch.from_numpy(X.astype(dtype))[:, np.newaxis, :],
            _torch_initial_states(net, 1, dtype),
        )
    result = forward(net, X, dtype=dtype)

    assert result.H.dtype == dtype
    np.testing.assert_allclose(result.H, out[:, 0].numpy(), rtol=0, atol=atol)
    np.testing.assert_allclose(result.h_n, h_n[:, 0].numpy(), rtol=0, atol=atol)


@requires_torch
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("seed", SEEDS)
def test_batch_matches_torch_packed_sequences(
    seed: int, bidirectional: bool, nonlinearity: str, random_network: Callable[..., Network]
) -> None:
    import torch
    from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence

    rng = np.random.default_rng(seed)
    I, H = _random_sizes(rng)
    num_layers = int(rng.integers(1, 4))
    direction = Direction.BIDIRECTIONAL if bidirectional else Direction.FORWARD
    net = random_network(rng, I, H, layers=num_layers, direction=direction, activation=nonlinearity)
    sequences = _random_sequences(rng, I, int(rng.integers(2, 6)))

    rnn = _torch_rnn(net, nonlinearity, np.float64)
    packed = pack_sequence([torch.from_numpy(X) for X in sequences], enforce_sorted=False)
    with torch.no_grad():
        out, h_n = rnn(packed, _torch_initial_states(net, len(sequences), np.float64))
    padded, lengths = pad_packed_sequence(out)
    results = forward_batch(net, sequences)

    for b, (X, result) in enumerate(zip(sequences, results, strict=True)):
        assert int(lengths[b]) == len(X)
        np.testing.assert_allclose(result.H, padded[: len(X), b].numpy(), rtol=0, atol=1e-12)
        np.testing.assert_allclose(result.h_n, h_n[:, b].numpy(), rtol=0, atol=1e-12)


# -- ONNX -------------------------------------------------------------------------------


def _onnx_model(
    net: Network,
    elem_type: int,
    activation: tuple[str, float, float],
    sequence_lens: bool,
) -> ModelProto:
    """One ONNX RNN node with the network's single layer; seq_length and batch are free."""
    if net.num_layers != 1:
        raise ValueError("an ONNX RNN node is one layer")
    I, H, D = net.input_size, net.hidden_size, net.num_directions
    name, alpha, beta = activation
    attributes: dict[str, Any] = {
        "hidden_size": H,
        "direction": net.direction.value,
        "activations": [name] * D,
        "activation_alpha": [alpha] * D,
        "activation_beta": [beta] * D,
    }
    if net.clip is not None:
        attributes["clip"] = net.clip
    node = helper.make_node(
        "RNN",
        inputs=["X", "W", "R", "B", "sequence_lens" if sequence_lens else "", "initial_h"],
        outputs=["Y", "Y_h"],
        **attributes,
    )
    inputs = [
        helper.make_tensor_value_info("X", elem_type, ["seq_length", "batch", I]),
        helper.make_tensor_value_info("W", elem_type, [D, H, I]),
        helper.make_tensor_value_info("R", elem_type, [D, H, H]),
        helper.make_tensor_value_info("B", elem_type, [D, 2 * H]),
        helper.make_tensor_value_info("initial_h", elem_type, [D, "batch", H]),
    ]
    if sequence_lens:
        inputs.append(helper.make_tensor_value_info("sequence_lens", TensorProto.INT32, ["batch"]))
    outputs = [
        helper.make_tensor_value_info("Y", elem_type, ["seq_length", D, "batch", H]),
        helper.make_tensor_value_info("Y_h", elem_type, [D, "batch", H]),
    ]
    graph = helper.make_graph([node], "rnn", inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)])


def _onnx_feeds(
    net: Network, sequences: Sequence[FloatArray], dtype: npt.DTypeLike, sequence_lens: bool
) -> dict[str, npt.NDArray[Any]]:
    """The node's inputs: the padded batch, the weights stacked by direction, and h0."""
    cells = net.layers[0]
    feeds: dict[str, npt.NDArray[Any]] = {
        "X": _padded(sequences, dtype),
        "W": np.stack([cell.W_xh for cell in cells]).astype(dtype),
        "R": np.stack([cell.W_hh for cell in cells]).astype(dtype),
        "B": np.stack([np.concatenate([cell.b_xh, cell.b_hh]) for cell in cells]).astype(dtype),
        "initial_h": np.repeat(net.h0[:, np.newaxis, :], len(sequences), axis=1).astype(dtype),
    }
    if sequence_lens:
        feeds["sequence_lens"] = np.array([len(X) for X in sequences], dtype=np.int32)
    return feeds


def _assert_matches_onnx(
    results: Sequence[Forward], Y: npt.NDArray[Any], Y_h: npt.NDArray[Any], atol: float
) -> None:
    """Y ([seq_length, D, batch, H]) and Y_h ([D, batch, H]) against each sequence's run.

    Y's direction axis comes before H, so a step's [forward, reverse] rows side by side are
    rnncli's h_t.
    """
    for b, result in enumerate(results):
        T = len(result.H)
        np.testing.assert_allclose(result.H, Y[:T, :, b].reshape(T, -1), rtol=0, atol=atol)
        np.testing.assert_allclose(result.h_n, Y_h[:, b], rtol=0, atol=atol)


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("activation", ["tanh", "affine"])
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_onnx_reference_evaluator(
    seed: int, activation: str, direction: Direction, random_network: Callable[..., Network]
) -> None:
    rng = np.random.default_rng(seed)
    I, H = _random_sizes(rng)
    spec = ONNX_ACTIVATIONS[activation]
    net = random_network(
        rng, I, H, direction=direction, activation=Activation.named(activation, *spec[1:])
    )
    sequences = _random_sequences(rng, I, int(rng.integers(2, 5)))
    results = forward_batch(net, sequences)

    # onnx's reference RNN ignores sequence_lens (and clip): it runs every sequence of a
    # batch to the padded end. So each sequence runs there alone, as a batch of one, and
    # rnncli's ragged batch is checked against those runs.
    evaluator = ReferenceEvaluator(_onnx_model(net, TensorProto.DOUBLE, spec, sequence_lens=False))
    for X, result in zip(sequences, results, strict=True):
        Y, Y_h = evaluator.run(None, _onnx_feeds(net, [X], np.float64, sequence_lens=False))
        _assert_matches_onnx([result], np.asarray(Y), np.asarray(Y_h), atol=1e-12)


@requires_onnxruntime
@pytest.mark.parametrize("clip", [None, 0.75])
@pytest.mark.parametrize("direction", [Direction.FORWARD, Direction.BIDIRECTIONAL])
@pytest.mark.parametrize("activation", list(ONNX_ACTIVATIONS))
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_onnxruntime(
    seed: int,
    activation: str,
    direction: Direction,
    clip: float | None,
    random_network: Callable[..., Network],
) -> None:
    import onnxruntime

    rng = np.random.default_rng(seed)
    I, H = _random_sizes(rng)
    spec = ONNX_ACTIVATIONS[activation]
    with_parameters = Activation.named(activation, *spec[1:])
    net = random_network(rng, I, H, direction=direction, activation=with_parameters, clip=clip)
    sequences = _random_sequences(rng, I, int(rng.integers(1, 5)))
    results = forward_batch(net, sequences, dtype=np.float32)

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        _onnx_model(net, TensorProto.FLOAT, spec, sequence_lens=True).SerializeToString(),
        options,
        providers=["CPUExecutionProvider"],
    )
    Y, Y_h = session.run(None, _onnx_feeds(net, sequences, np.float32, sequence_lens=True))
    _assert_matches_onnx(results, Y, Y_h, atol=1e-5)
