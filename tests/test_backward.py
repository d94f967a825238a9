"""rnncli backward: BPTT against its step-by-step form and central differences (numpy
only), its properties, the textbook's vanishing gradient, and the command line."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from rnncli.core.bptt import bptt, reference_bptt
from rnncli.core.finite_differences import check, numerical_gradients
from rnncli.core.gradient_flow import gradient_flow
from rnncli.core.gradients import clip_norm, clip_value, parameter_norm
from rnncli.core.loss import Targets
from rnncli.core.network import Network
from rnncli.models.config.read import default_network
from rnncli.option_values import LossName, Reduction
from rnncli.pipelines.backward import BackwardRequest, backward_report
from rnncli.views.backward.table import backward_view
from tests.conftest import RNNCLI, SAMPLE

TEXTBOOK_X = np.array([[1.0] * 5, [2.0] * 5, [3.0] * 5])


def _targets(rng: np.random.Generator, T: int, O: int, loss: LossName, many: bool) -> Targets:
    S = np.ones(T, dtype=bool) if many else np.arange(T) == T - 1
    if loss is LossName.MSE:
        Y = rng.normal(size=(T, O))
    else:
        Y = rng.integers(0, O, size=(T, 1)).astype(float)
    return Targets(Y, S)


def _cases(
    random_network: Callable[..., Network],
) -> list[tuple[Network, np.ndarray, Targets, LossName, Reduction, int | None]]:
    rng = np.random.default_rng(11)
    cases = []
    for k in range(24):
        loss = (LossName.MSE, LossName.CROSS_ENTROPY)[k % 2]
        reduction = (Reduction.SUM, Reduction.MEAN)[k // 2 % 2]
        outputs = 3 if k // 4 % 2 else None
        activation = ("tanh", "relu", "sigmoid")[k % 3]
        net = random_network(rng, 3, 4, outputs, activation=activation)
        T = 6
        X = rng.normal(size=(T, 3))
        targets = _targets(rng, T, net.output_size, loss, many=k % 5 != 0)
        truncate = (None, 2, 4)[k % 3]
        cases.append((net, X, targets, loss, reduction, truncate))
    return cases


def test_the_array_form_is_the_step_by_step_form(random_network: Callable[..., Network]) -> None:
    for net, X, targets, loss, reduction, truncate in _cases(random_network):
        fast = bptt(net, X, targets, loss, reduction, truncate)
        L, reference = reference_bptt(net, X, targets, loss, reduction, truncate)
        assert fast.loss == pytest.approx(L, rel=1e-12, abs=1e-14)
        assert list(fast.gradients) == list(reference)
        for name, gradient in reference.items():
            np.testing.assert_allclose(fast.gradients[name], gradient, rtol=1e-10, atol=1e-13)


def test_central_differences_agree(random_network: Callable[..., Network]) -> None:
    for net, X, targets, loss, reduction, _ in _cases(random_network)[:12]:
        if net.activation.name == "relu":
            continue  # a kink near some z would make the differences lie
        errors = check(net, X, targets, loss, reduction)
        exact = bptt(net, X, targets, loss, reduction).gradients
        numerical = numerical_gradients(net, X, targets, loss, reduction)
        for name, error in errors.items():
            # Central differences of L carry about 1e-16 L / 1e-6 = 1e-10 of rounding noise:
            # a gradient that has all but vanished (h0, six steps back) is held to that.
            if np.linalg.norm(exact[name]) > 1e-3:
                assert error < 1e-6, (name, errors)
            else:
                assert np.abs(exact[name] - numerical[name]).max() < 1e-8, name


def test_the_textbook_fixture() -> None:
    net = default_network()
    targets = Targets(np.zeros((3, 2)), np.array([False, False, True]))
    result = bptt(net, TEXTBOOK_X, targets, LossName.MSE)
    assert result.loss == pytest.approx(1.5665402355, abs=1e-10)
    expected = [[0.298249, -0.331637], [-0.209126, 0.226542]]
    np.testing.assert_allclose(result.gradients["W_hh"], expected, atol=5e-7)
    np.testing.assert_allclose(
        result.F, [[0.876, 0.724], [0.532, 0.421], [0.252, 0.182]], atol=6e-4
    )
    flow = gradient_flow(net.W_hh, result.F)
    np.testing.assert_allclose(flow.norm, [1.87e-3, 6.83e-3, 7.60e-2], rtol=3e-3)
    np.testing.assert_allclose(flow.jacobian_norm, [0.295, 0.173, 0.076], atol=6e-4)
    assert flow.spectral_radius == pytest.approx(0.294, abs=5e-4)


def test_properties(random_network: Callable[..., Network]) -> None:
    for net, X, targets, loss, reduction, _ in _cases(random_network):
        result = bptt(net, X, targets, loss, reduction)
        np.testing.assert_array_equal(result.gradients["b_xh"], result.gradients["b_hh"])
        # K >= T is full BPTT
        for name, gradient in bptt(net, X, targets, loss, reduction, len(X)).gradients.items():
            np.testing.assert_array_equal(gradient, result.gradients[name])
        # clipping by norm leaves a norm of at most C; by value, every value within C
        C = 0.5 * parameter_norm(result.gradients)
        assert parameter_norm(clip_norm(result.gradients, C)) <= C
        clipped = clip_value(result.gradients, 0.01)
        assert all(np.abs(g).max() <= 0.01 for n, g in clipped.items() if n != "h0")
        flow = gradient_flow(net.W_hh, result.F)
        assert (flow.norm <= flow.bound * (1 + 1e-12)).all()
        # sum and mean differ by the scale exactly
        mean = bptt(net, X, targets, loss, Reduction.MEAN)
        total = bptt(net, X, targets, loss, Reduction.SUM)
        np.testing.assert_allclose(
            mean.gradients["W_hh"], mean.scale * total.gradients["W_hh"], rtol=1e-12, atol=1e-15
        )


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RNNCLI, "backward", *args], capture_output=True, text=True, cwd=cwd)


def test_the_command_line_reproduces_the_fixture(tmp_path: Path) -> None:
    target = tmp_path / "y.csv"
    target.write_text("0,0\n")
    done = _run(SAMPLE, "--targets", str(target), "-f", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["loss"] == pytest.approx(1.5665402355, abs=1e-10)
    assert document["reduction"] == "sum" and document["scale"] == 1.0
    assert document["mode"] == "many-to-one"
    np.testing.assert_allclose(
        document["gradients"]["W_hh"], [[0.298249, -0.331637], [-0.209126, 0.226542]], atol=5e-7
    )
    assert list(document["gradients"]) == ["W_xh", "W_hh", "b_xh", "b_hh", "h0"]
    assert [step["loss"] for step in document["steps"]] == [None, None, document["loss"]]
    for key in ("t", "x", "h", "o", "loss", "dL_do", "dL_dh", "dL_dz"):
        assert key in document["steps"][2]
    norms = [row["norm"] for row in document["gradient_flow"]]
    np.testing.assert_allclose(norms, [1.87e-3, 6.83e-3, 7.60e-2], rtol=3e-3)


def test_the_vanishing_gradient_view() -> None:
    done = _run(SAMPLE, "-f", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "k,norm,bound,max_f_prime,jacobian_norm"
    norms = [float(line.split(",")[1]) for line in lines[1:]]
    np.testing.assert_allclose(norms, [1.87e-3, 6.83e-3, 7.60e-2], rtol=3e-3)


def test_the_vanishing_gradient_table() -> None:
    report = backward_report(BackwardRequest(sequence=SAMPLE))
    console = Console(record=True, width=120, color_system=None)
    console.print(backward_view(report, 4))
    text = console.export_text()
    assert "│ 0 │   1.8703e-03 │            7.2995e-03 │         0.8761 │   0.2946 │" in text
    assert "│ 2 │   7.6039e-02 │            9.9797e-02 │         0.2519 │   0.0760 │" in text
    assert "ρ(W_hh) = 0.2939   σ_max(W_hh) = 0.3962" in text
    assert "log ‖∂h_T/∂h_k‖, k = 0..2:  ▁▃█" in text


def test_the_steps_table(tmp_path: Path) -> None:
    target = tmp_path / "y.csv"
    target.write_text("0,0\n")
    report = backward_report(BackwardRequest(sequence=SAMPLE, targets=str(target), explain=True))
    console = Console(record=True, width=250, color_system=None)
    console.print(backward_view(report, 4))
    text = console.export_text()
    assert "L = 1.5665  (mse, sum over 1 step; scale c = 1)" in text
    assert "│ 3 │ -1.3126  1.4973 │ -0.8649  0.9047 │ 0.2519  0.1816 │" in text
    assert "│ W_hh │   2x2 │                             0.2982  -0.3316 │" in text
    assert "│      │       │                            -0.2091   0.2265 │" in text
    assert "    from the future, unit 1: 0.1961·(-0.4357) + 0.2583·0.3285 = -0.0006" in text


def test_truncation_and_clipping_show_before_and_after(tmp_path: Path) -> None:
    target = tmp_path / "y.csv"
    target.write_text("0,0\n1,1\n0,0\n")
    done = _run(
        SAMPLE, "--targets", str(target), "--truncate", "1", "--clip-norm", "0.1", "-f", "json"
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["mode"] == "many-to-many"
    assert document["truncation"]["K"] == 1
    assert document["gradient_norm"] <= 0.1
    assert document["clipping"]["gradient_norm_before"] > 0.1
    for step in document["steps"]:
        assert step["dL_dh_from_future"] == [0.0, 0.0]  # K = 1: nothing from the future


def test_a_nan_row_carries_no_loss(tmp_path: Path) -> None:
    target = tmp_path / "y.csv"
    target.write_text("y1,y2\n1,1\nnan,nan\n0,0\n")
    document = json.loads(_run(SAMPLE, "--targets", str(target), "-f", "json").stdout)
    losses = [step["loss"] for step in document["steps"]]
    assert losses[1] is None and losses[0] is not None and losses[2] is not None
    assert document["steps"][1]["dL_do"] == [0.0, 0.0]
    net = default_network()
    Y = np.array([[1.0, 1], [np.nan, np.nan], [0, 0]])
    expected = bptt(net, TEXTBOOK_X, Targets(Y, np.array([True, False, True])), LossName.MSE)
    assert document["loss"] == expected.loss
