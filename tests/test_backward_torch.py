"""rnncli backward against torch.autograd in float64: 64 random networks over tanh and
relu, mse and cross-entropy, sum and mean, many-to-many and many-to-one, with and without
an output layer, one and two biases, truncation and both clippings; the Jacobian norms
against torch.autograd.functional.jacobian."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from rnncli.core.bptt import bptt
from rnncli.core.gradient_flow import gradient_flow
from rnncli.core.gradients import clip_norm, clip_value
from rnncli.core.loss import Targets
from rnncli.core.network import Network
from rnncli.option_values import LossName, Reduction
from tests.conftest import reference_module

torch = reference_module("torch")


def torch_gradients(
    net: Network,
    X: np.ndarray,
    targets: Targets,
    loss: LossName,
    reduction: Reduction,
    truncate: int | None,
    clip: tuple[str, float] | None,
) -> tuple[float, dict[str, np.ndarray]]:
    """L and the gradients by autograd: the recurrence written out in torch, h detached
    at the chunk boundaries, the loss by nn's own loss on the stacked steps of S."""
    cell = net.cell
    t64 = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)  # noqa: E731
    params: dict[str, Any] = {"W_xh": t64(cell.W_xh), "W_hh": t64(cell.W_hh)}
    if cell.bias == "two":
        params["b_xh"], params["b_hh"] = t64(cell.b_xh), t64(cell.b_hh)
        bias = lambda: params["b_xh"] + params["b_hh"]  # noqa: E731
    else:
        params["b_h"] = t64(cell.b_xh)
        bias = lambda: params["b_h"]  # noqa: E731
    if net.W_ho is not None:
        params["W_ho"], params["b_o"] = t64(net.W_ho), t64(net.b_o)
    h0 = t64(net.h0[0])
    f = torch.tanh if net.activation.name == "tanh" else torch.relu
    h, outputs = h0, []
    for t, x in enumerate(torch.tensor(X), start=1):
        h = f(params["W_xh"] @ x + params["W_hh"] @ h + bias())
        outputs.append(h if net.W_ho is None else params["W_ho"] @ h + params["b_o"])
        if truncate is not None and t % truncate == 0:
            h = h.detach()
    S = torch.tensor(targets.S)
    logits = torch.stack(outputs)[S]
    if loss is LossName.MSE:
        L = torch.nn.MSELoss(reduction=str(reduction))(logits, torch.tensor(targets.Y)[S])
    else:
        classes = torch.tensor(targets.Y[:, 0])[S].long()
        L = torch.nn.CrossEntropyLoss(reduction=str(reduction))(logits, classes)
    L.backward()
    if clip is not None and clip[0] == "norm":
        torch.nn.utils.clip_grad_norm_(list(params.values()), clip[1])
    elif clip is not None:
        torch.nn.utils.clip_grad_value_(list(params.values()), clip[1])
    grads = {name: p.grad.numpy() for name, p in params.items()}
    grads["h0"] = h0.grad.numpy()
    return float(L.detach()), grads


def _cases(random_network: Callable[..., Network]) -> list[dict[str, Any]]:
    rng = np.random.default_rng(2024)
    cases = []
    for k in range(64):
        outputs = None if k % 2 else int(rng.integers(2, 4))
        net = random_network(rng, 3, 4, outputs, activation=("tanh", "relu")[k // 2 % 2])
        if k // 4 % 2:  # one bias b_h
            cell = net.cell
            net = replace(
                net,
                layers=(
                    (replace(cell, b_hh=0 * cell.b_hh, options=cell.options._replace(bias="one")),),
                ),
            )
        loss = (LossName.MSE, LossName.CROSS_ENTROPY)[k // 8 % 2]
        reduction = (Reduction.SUM, Reduction.MEAN)[k // 16 % 2]
        T = int(rng.integers(1, 8))
        many = k // 32 == 0
        S = np.ones(T, dtype=bool) if many else np.arange(T) == T - 1
        if many and T > 2:
            S[1] = False  # a step without a loss
        O = net.output_size
        Y = rng.normal(size=(T, O)) if loss is LossName.MSE else rng.integers(0, O, (T, 1)) * 1.0
        truncate = (None, 1, 2, 3)[k % 4]
        clip = (None, ("norm", 0.5), ("value", 0.1))[k % 3]
        cases.append(
            dict(
                net=net,
                X=rng.normal(size=(T, 3)),
                targets=Targets(Y, S),
                loss=loss,
                reduction=reduction,
                truncate=truncate,
                clip=clip,
            )
        )
    return cases


def test_bptt_equals_autograd(random_network: Callable[..., Network]) -> None:
    cases = _cases(random_network)
    assert len(cases) >= 50
    for case in cases:
        net, X, targets = case["net"], case["X"], case["targets"]
        result = bptt(net, X, targets, case["loss"], case["reduction"], case["truncate"])
        gradients = result.gradients
        if case["clip"] is not None:
            kind, limit = case["clip"]
            gradients = (clip_norm if kind == "norm" else clip_value)(gradients, limit)
        L, expected = torch_gradients(
            net, X, targets, case["loss"], case["reduction"], case["truncate"], case["clip"]
        )
        assert result.loss == pytest.approx(L, abs=1e-12, rel=1e-12)
        assert set(gradients) == set(expected)
        for name, gradient in expected.items():
            np.testing.assert_allclose(gradients[name], gradient, atol=1e-12, rtol=0)


def test_nn_rnn_agrees(random_network: Callable[..., Network]) -> None:
    """torch's own nn.RNN and nn.Linear, two biases, many-to-many mse (sum)."""
    rng = np.random.default_rng(5)
    net = random_network(rng, 3, 4, 2)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    rnn = torch.nn.RNN(3, 4).double()
    fc = torch.nn.Linear(4, 2).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.tensor(net.cell.W_xh))
        rnn.weight_hh_l0.copy_(torch.tensor(net.cell.W_hh))
        rnn.bias_ih_l0.copy_(torch.tensor(net.cell.b_xh))
        rnn.bias_hh_l0.copy_(torch.tensor(net.cell.b_hh))
        fc.weight.copy_(torch.tensor(net.W_ho))
        fc.bias.copy_(torch.tensor(net.b_o))
    out, _ = rnn(torch.tensor(X)[:, None, :], torch.tensor(net.h0)[:, None, :])
    torch.nn.MSELoss(reduction="sum")(fc(out[:, 0]), torch.tensor(Y)).backward()
    result = bptt(net, X, Targets(Y, np.ones(5, dtype=bool)), LossName.MSE)
    pairs = {
        "W_xh": rnn.weight_ih_l0,
        "W_hh": rnn.weight_hh_l0,
        "b_xh": rnn.bias_ih_l0,
        "b_hh": rnn.bias_hh_l0,
        "W_ho": fc.weight,
        "b_o": fc.bias,
    }
    for name, parameter in pairs.items():
        np.testing.assert_allclose(result.gradients[name], parameter.grad.numpy(), atol=1e-12)


def test_jacobian_norms_equal_autograd(random_network: Callable[..., Network]) -> None:
    rng = np.random.default_rng(9)
    for activation in ("tanh", "relu", "sigmoid"):
        net = random_network(rng, 3, 4, activation=activation)
        X = rng.normal(size=(6, 3))
        T = len(X)
        result = bptt(net, X, Targets(np.zeros((T, 4)), np.zeros(T, dtype=bool)), LossName.MSE)
        flow = gradient_flow(net.W_hh, result.F)
        cell = net.cell
        f = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}[activation]
        W_xh, W_hh = torch.tensor(cell.W_xh), torch.tensor(cell.W_hh)
        b, xs = torch.tensor(cell.b_xh + cell.b_hh), torch.tensor(X)
        hs = [torch.tensor(net.h0[0])] + [torch.tensor(h) for h in result.H]

        def h_T_from(
            h_k: Any,
            k: int,
            f: Any = f,
            W_xh: Any = W_xh,
            W_hh: Any = W_hh,
            b: Any = b,
            xs: Any = xs,
            T: int = T,
        ) -> Any:
            """h_T as a function of h_k: steps k + 1..T."""
            h = h_k
            for t in range(k, T):
                h = f(W_xh @ xs[t] + W_hh @ h + b)
            return h

        for k in range(T):
            jacobian = torch.autograd.functional.jacobian(
                lambda h, k=k: h_T_from(h, k), hs[k]
            ).numpy()
            assert flow.norm[k] == pytest.approx(np.linalg.norm(jacobian, 2), abs=1e-12, rel=1e-12)
