"""rnncli backward --explain for LSTM and GRU cells: every number of the step back at
t = T and T - 1, gate by gate, against torch.autograd on the same equations written out
in torch (float64), each intermediate's .grad read directly."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rnncli.core.network import Network
from rnncli.models.config.write import network_yaml
from rnncli.pipelines.backward import BackwardRequest, backward_report
from tests.conftest import gated_network, reference_module

torch = reference_module("torch")

T, I, H, O = 4, 3, 2, 2
PRECISION = 10


def _explained(tmp_path: Path, net: Network, X: np.ndarray, Y: np.ndarray) -> list[str]:
    config, sequence, targets = tmp_path / "net.yaml", tmp_path / "x.csv", tmp_path / "y.csv"
    config.write_text(network_yaml(net, []))
    sequence.write_text("\n".join(",".join(repr(float(v)) for v in row) for row in X) + "\n")
    targets.write_text("\n".join(",".join(repr(float(v)) for v in row) for row in Y) + "\n")
    request = BackwardRequest(
        sequence=str(sequence),
        config=str(config),
        targets=str(targets),
        explain=True,
        precision=PRECISION,
    )
    explain = backward_report(request).explain
    assert explain is not None
    return explain


def _value(lines: list[str], t: int, start: str) -> np.ndarray:
    """The vector at the end of the line that starts with `start` in step t's block."""
    block = lines[lines.index(next(x for x in lines if x.startswith(f"t = {t}"))) :]
    line = next(x for x in block[1:] if x.lstrip().startswith(start))
    numbers = re.findall(r"\[([^\[\]]*)\]$", line)[0]
    return np.array([float(v) for v in numbers.split(",")])


def _torch_run(net: Network, X: np.ndarray, Y: np.ndarray, kind: str) -> list[dict[str, Any]]:
    """Every intermediate of every step, its .grad kept, after L.backward() (mse, sum)."""
    cell = net.cell
    t64 = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    W_xh, W_hh, b_xh, b_hh = (t64(getattr(cell, n)) for n in ("W_xh", "W_hh", "b_xh", "b_hh"))
    W_ho, b_o = t64(net.W_ho), t64(net.b_o)
    h = t64(net.h0[0]).requires_grad_()
    c = t64(net.c0[0]).requires_grad_() if net.c0 is not None else None
    steps: list[dict[str, Any]] = []
    L = torch.zeros((), dtype=torch.float64)
    for t in range(T):
        x = t64(X[t])
        step: dict[str, Any] = {"h_prev": h}
        if kind == "lstm":
            z = {
                g: (
                    W_xh[k * H : (k + 1) * H] @ x
                    + b_xh[k * H : (k + 1) * H]
                    + W_hh[k * H : (k + 1) * H] @ h
                    + b_hh[k * H : (k + 1) * H]
                )
                for k, g in enumerate("ifgo")
            }
            gate = {g: torch.sigmoid(z[g]) for g in "ifo"} | {"g": torch.tanh(z["g"])}
            c = gate["f"] * c + gate["i"] * gate["g"]
            h = gate["o"] * torch.tanh(c)
            step["c"] = c
        else:
            a_x = {
                g: W_xh[k * H : (k + 1) * H] @ x + b_xh[k * H : (k + 1) * H]
                for k, g in enumerate("rzn")
            }
            a_h = {
                g: W_hh[k * H : (k + 1) * H] @ h + b_hh[k * H : (k + 1) * H]
                for k, g in enumerate("rzn")
            }
            z = {"r": a_x["r"] + a_h["r"], "z": a_x["z"] + a_h["z"]}
            gate = {"r": torch.sigmoid(z["r"]), "z": torch.sigmoid(z["z"])}
            z["n"] = a_x["n"] + gate["r"] * a_h["n"]
            gate["n"] = torch.tanh(z["n"])
            h = (1 - gate["z"]) * gate["n"] + gate["z"] * h
        o = W_ho @ h + b_o
        step |= {"z": z, "gate": gate, "h": h, "o": o}
        for value in (*z.values(), *gate.values(), h, o, *([c] if kind == "lstm" else [])):
            value.retain_grad()
        steps.append(step)
        L = L + torch.sum((o - t64(Y[t])) ** 2)
    L.backward()
    return steps


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_explain_matches_torch_autograd(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(7 if kind == "lstm" else 8)
    net = gated_network(rng, kind, I, H, O)
    X, Y = rng.normal(0, 1, (T, I)), rng.normal(0, 1, (T, O))
    lines = _explained(tmp_path, net, X, Y)
    steps = _torch_run(net, X, Y, kind)
    close = lambda a, b: np.testing.assert_allclose(a, b.detach().numpy(), atol=1e-9)  # noqa: E731
    for t in (T, T - 1):
        s = steps[t - 1]
        close(_value(lines, t, f"∂L/∂o_{t} ="), s["o"].grad)
        close(_value(lines, t, f"∂L/∂h_{t} ="), s["h"].grad)
        for gate in net.cell.gates:
            close(_value(lines, t, f"∂L/∂z^{gate}_{t} ="), s["z"][gate].grad)
        if kind == "lstm":
            close(_value(lines, t, f"∂L/∂c_{t} ="), s["c"].grad)
            close(_value(lines, t, f"∂L/∂[o]_{t} ="), s["gate"]["o"].grad)
            for gate in "ifg":
                line = next(x for x in lines if f"∂L/∂[{gate}]_{t} = ∂L/∂c_{t}" in x)
                part = line[line.index(f"∂L/∂[{gate}]_{t} = ") :].split("    ")[0]
                close(_value([f"t = {t}", part], t, f"∂L/∂[{gate}]_{t}"), s["gate"][gate].grad)
        else:
            for gate in "rzn":
                close(_value(lines, t, f"∂L/∂[{gate}]_{t} ="), s["gate"][gate].grad)
    if kind == "gru":
        # What step T sends back to h_{T-1}: its total gradient less its own output's part.
        s = steps[T - 2]
        through_output = torch.tensor(net.W_ho).T @ s["o"].grad
        close(_value(lines, T, "sent back: ∂L/∂h_"), s["h"].grad - through_output)


def test_explain_of_lstm_says_the_cell_state_equation(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    net = gated_network(rng, "lstm", I, H, O)
    X, Y = rng.normal(0, 1, (T, I)), rng.normal(0, 1, (T, O))
    lines = _explained(tmp_path, net, X, Y)
    assert lines[0] == f"t = {T} (the last step):"
    assert any(
        x.startswith(
            f"  ∂L/∂c_{T} = ∂L/∂h_{T} ⊙ [o]_{T} ⊙ tanh'(c_{T}) + ∂L/∂c_{T + 1} ⊙ [f]_{T + 1}"
        )
        for x in lines
    )
    # Nothing comes from the future at T: f_{T+1} ⊙ dL/dc_{T+1} is written as zeros.
    assert "+ [0.0000000000, 0.0000000000] ⊙ [0.0000000000, 0.0000000000] =" in "\n".join(lines)
