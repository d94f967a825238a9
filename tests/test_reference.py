"""Cross-checks of `rnncli.core.forward.forward` against independent reference implementations.

The references are:

* the `onnx` package's reference evaluator (`onnx.reference.ReferenceEvaluator`) running a
  single ONNX `RNN` operator in float64, with the `Tanh` activation and with `Affine`
  (alpha 1, beta 0) standing in for the identity;
* `torch.nn.RNN` in float64 with the `tanh` and `relu` nonlinearities (skipped when torch
  is not installed), which also draws the textbook's network again from its seed.

Each case is a seeded random network and sequence; the hidden states must agree to 1e-12.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from onnx import TensorProto, helper
from onnx.reference import ReferenceEvaluator

from rnncli.cells.activations import FloatArray
from rnncli.core.forward import forward
from rnncli.core.network import Network
from rnncli.models.config.read import default_network
from tests.conftest import requires, textbook

SEEDS = range(50)
ATOL = 1e-12
ONNX_OPSET = 14
ONNX_ACTIVATIONS: dict[str, dict[str, Any]] = {
    "tanh": {"activations": ["Tanh"]},
    "identity": {"activations": ["Affine"], "activation_alpha": [1.0], "activation_beta": [0.0]},
}

requires_torch = requires("torch")


def _random_case(
    random_network: Callable[..., Network], seed: int, activation: str
) -> tuple[Network, FloatArray]:
    """A seeded random network (I, H in 1..6) and a sequence for it (T in 1..12)."""
    rng = np.random.default_rng(seed)
    input_size = int(rng.integers(1, 7))
    hidden_size = int(rng.integers(1, 7))
    T = int(rng.integers(1, 13))
    net = random_network(rng, input_size, hidden_size, activation=activation)
    X = rng.normal(size=(T, input_size))
    return net, X


def _onnx_rnn(net: Network, X: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Y (T x H) and Y_h (H) from the ONNX reference evaluator's RNN operator."""
    T, input_size = X.shape
    H = net.hidden_size
    node = helper.make_node(
        "RNN",
        inputs=["X", "W", "R", "B", "", "initial_h"],
        outputs=["Y", "Y_h"],
        hidden_size=H,
        **ONNX_ACTIVATIONS[net.activation.name],
    )
    graph = helper.make_graph(
        [node],
        "rnn",
        inputs=[
            helper.make_tensor_value_info("X", TensorProto.DOUBLE, [T, 1, input_size]),
            helper.make_tensor_value_info("W", TensorProto.DOUBLE, [1, H, input_size]),
            helper.make_tensor_value_info("R", TensorProto.DOUBLE, [1, H, H]),
            helper.make_tensor_value_info("B", TensorProto.DOUBLE, [1, 2 * H]),
            helper.make_tensor_value_info("initial_h", TensorProto.DOUBLE, [1, 1, H]),
        ],
        outputs=[
            helper.make_tensor_value_info("Y", TensorProto.DOUBLE, [T, 1, 1, H]),
            helper.make_tensor_value_info("Y_h", TensorProto.DOUBLE, [1, 1, H]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", ONNX_OPSET)])
    Y, Y_h = ReferenceEvaluator(model).run(
        None,
        {
            "X": X[:, None, :],
            "W": net.W_xh[None],
            "R": net.W_hh[None],
            "B": np.concatenate([net.b_xh, net.b_hh])[None],
            "initial_h": net.h0[:, None, :],
        },
    )
    return np.asarray(Y).reshape(T, H), np.asarray(Y_h).reshape(H)


def _torch_rnn(net: Network, X: FloatArray) -> FloatArray:
    """The hidden states (T x H) of a float64 torch.nn.RNN with the network's weights."""
    import torch

    torch.set_num_threads(1)
    rnn = torch.nn.RNN(net.input_size, net.hidden_size, nonlinearity=net.activation.name).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(net.W_xh))
        rnn.weight_hh_l0.copy_(torch.from_numpy(net.W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(net.b_xh))
        rnn.bias_hh_l0.copy_(torch.from_numpy(net.b_hh))
        out, h_n = rnn(torch.from_numpy(X)[:, None, :], torch.from_numpy(net.h0)[:, None, :])
    np.testing.assert_array_equal(out[-1].numpy(), h_n[0].numpy())
    return out[:, 0, :].numpy()


@pytest.mark.parametrize("activation", ["tanh", "identity"])
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_onnx_reference_rnn(
    seed: int, activation: str, random_network: Callable[..., Network]
) -> None:
    net, X = _random_case(random_network, seed, activation)
    Y, Y_h = _onnx_rnn(net, X)
    H = forward(net, X).H
    np.testing.assert_allclose(H, Y, rtol=0, atol=ATOL)
    np.testing.assert_allclose(H[-1], Y_h, rtol=0, atol=ATOL)


@requires_torch
@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_torch_rnn(
    seed: int, activation: str, random_network: Callable[..., Network]
) -> None:
    net, X = _random_case(random_network, seed, activation)
    np.testing.assert_allclose(forward(net, X).H, _torch_rnn(net, X), rtol=0, atol=ATOL)


@requires_torch
def test_the_textbook_network_is_torchs_seed_1_rnn() -> None:
    # The textbook's weights are nn.RNN(5, 2) after torch.manual_seed(1): torch draws them
    # again here, bit for bit, and its h_t over X are the printed "Output" rows, which
    # rnncli's built-in network reproduces to float32's precision (torch's float32 sums
    # may end one unit in the last place, 6e-8 near 0.9, from the printed ones).
    import torch

    torch.manual_seed(1)
    rnn = torch.nn.RNN(input_size=5, hidden_size=2)
    assert rnn.weight_ih_l0.tolist() == textbook.W_xh
    assert rnn.weight_hh_l0.tolist() == textbook.W_hh
    assert rnn.bias_ih_l0.tolist() == textbook.b_xh
    assert rnn.bias_hh_l0.tolist() == textbook.b_hh
    with torch.no_grad():
        out, _ = rnn(torch.tensor(textbook.X))
    np.testing.assert_allclose(out.numpy(), textbook.PRINTED_OUTPUT, rtol=0, atol=1e-7)
    H = forward(default_network(), np.array(textbook.X)).H
    np.testing.assert_allclose(H, out.numpy(), rtol=0, atol=1e-6)
