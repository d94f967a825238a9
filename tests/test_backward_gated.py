"""rnncli backward for LSTM and GRU cells against torch.autograd in float64: 64 random
networks over lstm and gru (both reset_after forms, input_forget), mse and
cross-entropy, sum and mean, many-to-many and many-to-one, with and without an output
layer, truncation and both clippings; torch's own nn.LSTM and nn.GRU; the gradient flow
through h and c against torch.autograd.functional.jacobian."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rnncli.cells.lstm import LstmCell
from rnncli.core.bptt import bptt
from rnncli.core.gradient_flow import state_flow
from rnncli.core.gradients import clip_norm, clip_value, gate_blocks
from rnncli.core.loss import Targets
from rnncli.core.network import Network
from rnncli.option_values import LossName, Reduction
from tests.conftest import gated_network, reference_module

torch = reference_module("torch")


def torch_step(cell: Any, p: dict[str, Any], x: Any, h: Any, c: Any) -> tuple[Any, Any]:
    """One step written out in torch, as CELLS.md's equations (sigmoid, tanh)."""
    H, σ = cell.cell_size, torch.sigmoid
    a_x = p["W_xh"] @ x + p["b_xh"]
    a_h = p["W_hh"] @ h + p["b_hh"]
    if isinstance(cell, LstmCell):
        z = a_x + a_h
        i, g, o = σ(z[:H]), torch.tanh(z[2 * H : 3 * H]), σ(z[3 * H :])
        f = 1 - i if cell.input_forget else σ(z[H : 2 * H])
        c = f * c + i * g
        return o * torch.tanh(c), c
    r = σ(a_x[:H] + a_h[:H])
    u = σ(a_x[H : 2 * H] + a_h[H : 2 * H])  # the update gate z
    if cell.reset_after:
        n = torch.tanh(a_x[2 * H :] + r * a_h[2 * H :])
    else:
        n = torch.tanh(a_x[2 * H :] + p["W_hh"][2 * H :] @ (r * h) + p["b_hh"][2 * H :])
    return (1 - u) * n + u * h, c


def torch_gradients(net: Network, X: np.ndarray, case: dict[str, Any]) -> tuple[float, Any]:
    """L and every gradient by autograd; h (and c) detached at the chunk boundaries."""
    cell, targets, loss = net.cell, case["targets"], case["loss"]
    t64 = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=True)  # noqa: E731
    p = {name: t64(getattr(cell, name)) for name in ("W_xh", "W_hh", "b_xh", "b_hh")}
    if net.W_ho is not None:
        p["W_ho"], p["b_o"] = t64(net.W_ho), t64(net.b_o)
    h0 = t64(net.h0[0])
    c0 = t64(net.c0[0]) if net.c0 is not None else None
    h, c, outputs = h0, c0, []
    for t, x in enumerate(torch.tensor(X), start=1):
        h, c = torch_step(cell, p, x, h, c)
        outputs.append(h if net.W_ho is None else p["W_ho"] @ h + p["b_o"])
        if case["truncate"] is not None and t % case["truncate"] == 0:
            h, c = h.detach(), None if c is None else c.detach()
    S = torch.tensor(targets.S)
    logits, reduction = torch.stack(outputs)[S], str(case["reduction"])
    if loss is LossName.MSE:
        L = torch.nn.MSELoss(reduction=reduction)(logits, torch.tensor(targets.Y)[S])
    else:
        classes = torch.tensor(targets.Y[:, 0])[S].long()
        L = torch.nn.CrossEntropyLoss(reduction=reduction)(logits, classes)
    L.backward()
    if case["clip"] is not None and case["clip"][0] == "norm":
        torch.nn.utils.clip_grad_norm_(list(p.values()), case["clip"][1])
    elif case["clip"] is not None:
        torch.nn.utils.clip_grad_value_(list(p.values()), case["clip"][1])
    grads = {name: value.grad.numpy() for name, value in p.items()}
    grads["h0"] = h0.grad.numpy()
    if c0 is not None:
        grads["c0"] = c0.grad.numpy()
    return float(L.detach()), grads


def _cases() -> list[dict[str, Any]]:
    rng = np.random.default_rng(77)
    cases = []
    for k in range(64):
        kind = ("lstm", "gru")[k % 2]
        options: dict[str, Any] = {}
        if kind == "gru":
            options["reset_after"] = k // 2 % 2 == 0
        elif k // 2 % 4 == 3:
            options["input_forget"] = True
        outputs = None if k // 4 % 2 else int(rng.integers(2, 4))
        net = gated_network(rng, kind, 3, 3, outputs, **options)
        loss = (LossName.MSE, LossName.CROSS_ENTROPY)[k // 8 % 2]
        reduction = (Reduction.SUM, Reduction.MEAN)[k // 16 % 2]
        T = int(rng.integers(1, 8))
        many = k // 32 == 0
        S = np.ones(T, dtype=bool) if many else np.arange(T) == T - 1
        if many and T > 2:
            S[1] = False  # a step without a loss
        O = net.output_size
        Y = rng.normal(size=(T, O)) if loss is LossName.MSE else rng.integers(0, O, (T, 1)) * 1.0
        cases.append(
            dict(
                net=net,
                X=rng.normal(size=(T, 3)),
                targets=Targets(Y, S),
                loss=loss,
                reduction=reduction,
                truncate=(None, 1, 2, 3)[k // 3 % 4],
                clip=(None, ("norm", 0.5), ("value", 0.1))[k % 3],
            )
        )
    return cases


def test_bptt_equals_autograd() -> None:
    cases = _cases()
    assert len(cases) >= 50
    assert {case["net"].cell_kind for case in cases} == {"lstm", "gru"}
    for case in cases:
        net, X = case["net"], case["X"]
        result = bptt(net, X, case["targets"], case["loss"], case["reduction"], case["truncate"])
        gradients = result.gradients
        if case["clip"] is not None:
            kind, limit = case["clip"]
            gradients = (clip_norm if kind == "norm" else clip_value)(gradients, limit)
        L, expected = torch_gradients(net, X, case)
        assert result.loss == pytest.approx(L, abs=1e-12, rel=1e-12)
        assert set(gradients) == set(expected)
        for name, gradient in expected.items():
            np.testing.assert_allclose(gradients[name], gradient, atol=1e-12, rtol=0)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_torch_modules_agree(kind: str) -> None:
    """torch's own nn.LSTM / nn.GRU and nn.Linear, many-to-many mse (sum)."""
    rng = np.random.default_rng(11)
    net = gated_network(rng, kind, 3, 4, 2)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    module = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(3, 4).double()
    fc = torch.nn.Linear(4, 2).double()
    cell = net.cell
    with torch.no_grad():
        for ours, theirs in (("W_xh", "weight_ih_l0"), ("W_hh", "weight_hh_l0")):
            getattr(module, theirs).copy_(torch.tensor(getattr(cell, ours)))
        module.bias_ih_l0.copy_(torch.tensor(cell.b_xh))
        module.bias_hh_l0.copy_(torch.tensor(cell.b_hh))
        fc.weight.copy_(torch.tensor(net.W_ho))
        fc.bias.copy_(torch.tensor(net.b_o))
    h0 = torch.tensor(net.h0[:, None, :], requires_grad=True)
    c0 = torch.tensor(net.c0[:, None, :], requires_grad=True) if net.c0 is not None else None
    out, _ = module(torch.tensor(X)[:, None, :], h0 if c0 is None else (h0, c0))
    torch.nn.MSELoss(reduction="sum")(fc(out[:, 0]), torch.tensor(Y)).backward()
    result = bptt(net, X, Targets(Y, np.ones(6, dtype=bool)), LossName.MSE)
    pairs = {
        "W_xh": module.weight_ih_l0.grad,
        "W_hh": module.weight_hh_l0.grad,
        "b_xh": module.bias_ih_l0.grad,
        "b_hh": module.bias_hh_l0.grad,
        "W_ho": fc.weight.grad,
        "b_o": fc.bias.grad,
        "h0": h0.grad[0, 0],
    }
    if c0 is not None:
        pairs["c0"] = c0.grad[0, 0]
    for name, expected in pairs.items():
        np.testing.assert_allclose(result.gradients[name], expected.numpy(), atol=1e-12)
    # The JSON's blocks: each gate's rows under its letter, in PyTorch's order.
    blocks = gate_blocks(net, result.gradients)
    for k, gate in enumerate(net.gates):
        rows = result.gradients["W_hh"][4 * k : 4 * k + 4]
        np.testing.assert_array_equal(blocks[gate]["W_hh"], rows)
    assert list(blocks) == [*net.gates, "W_ho", "b_o", "h0", *(["c0"] if c0 is not None else [])]


def test_lstm_biases_have_one_gradient_per_gate() -> None:
    """In an LSTM b_xh and b_hh are added inside every gate, so dL/db_xh = dL/db_hh per
    gate. Not for a GRU's n gate: b_hh^n sits inside r ⊙ (W_hh^n h + b_hh^n), so its
    gradient is r ⊙ the one of b_xh^n."""
    rng = np.random.default_rng(3)
    for kind in ("lstm", "gru"):
        net = gated_network(rng, kind, 2, 3, 2)
        X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
        g = bptt(net, X, Targets(Y, np.ones(5, dtype=bool)), LossName.MSE).gradients
        if kind == "lstm":
            np.testing.assert_array_equal(g["b_xh"], g["b_hh"])
        else:
            np.testing.assert_array_equal(g["b_xh"][:6], g["b_hh"][:6])  # r and z
            assert np.abs(g["b_xh"][6:] - g["b_hh"][6:]).max() > 1e-3  # n


def _torch_final_state(net: Network, X: np.ndarray, k: int, h_k: Any, c_k: Any) -> Any:
    """(h_T, c_T) from the state at k: steps k + 1..T in torch."""
    cell = net.cell
    p = {name: torch.tensor(getattr(cell, name)) for name in ("W_xh", "W_hh", "b_xh", "b_hh")}
    h, c = h_k, c_k
    for x in torch.tensor(X)[k:]:
        h, c = torch_step(cell, p, x, h, c)
    return h, c


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_flow_norms_equal_autograd_jacobians(kind: str) -> None:
    rng = np.random.default_rng(21)
    net = gated_network(rng, kind, 3, 4)
    X = rng.normal(size=(6, 3))
    T = len(X)
    result = bptt(net, X, Targets(np.zeros((T, 4)), np.zeros(T, dtype=bool)), LossName.MSE)
    flow = state_flow(net.cell, result)
    for k in range(T):
        h_k = torch.tensor(result.before[0][k])
        c_k = torch.tensor(result.before[1][k]) if kind == "lstm" else None
        dh = torch.autograd.functional.jacobian(
            lambda h, k=k, c_k=c_k: _torch_final_state(net, X, k, h, c_k)[0], h_k
        ).numpy()
        assert flow.norm[k] == pytest.approx(np.linalg.norm(dh, 2), abs=1e-12, rel=1e-12)
        if kind == "lstm":
            dc = torch.autograd.functional.jacobian(
                lambda c, k=k, h_k=h_k: _torch_final_state(net, X, k, h_k, c)[1], c_k
            ).numpy()
            assert flow.cell_norm is not None and flow.forget_product is not None
            assert flow.cell_norm[k] == pytest.approx(np.linalg.norm(dc, 2), abs=1e-12, rel=1e-12)
            # The forget gates' product: c_T's direct path back to c_k.
            F = net.cell.gate_values(result.Z[k:])["f"]
            assert flow.forget_product[k] == pytest.approx(np.prod(F, axis=0).max(), rel=1e-12)
