"""rnncli backward for LSTM and GRU cells, numpy only: central differences, the command
line's JSON (gradients by gate, dL/dc_t), the chapter's lesson with --compare, and what
it refuses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

from rnncli.core.finite_differences import check
from rnncli.core.loss import Targets
from rnncli.models.config.write import network_yaml
from rnncli.option_values import LossName, Reduction
from rnncli.pipelines.backward import BackwardRequest, backward_report
from rnncli.views.backward.table import gradients_table
from rnncli.views.table_text import fixed
from tests.conftest import RNNCLI, gated_network

ROOT = Path(__file__).resolve().parent.parent
LESSON = [str(ROOT / "samples" / "lesson.csv"), "-c", str(ROOT / "configs" / "lesson-rnn.yaml")]
LSTM_LESSON = str(ROOT / "configs" / "lesson-lstm.yaml")


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("lstm", {}),
        ("lstm", {"input_forget": True}),
        ("gru", {"reset_after": True}),
        ("gru", {"reset_after": False}),
    ],
)
@pytest.mark.parametrize("loss", [LossName.MSE, LossName.CROSS_ENTROPY])
def test_gradients_equal_central_differences(
    kind: str, options: dict[str, Any], loss: LossName
) -> None:
    rng = np.random.default_rng(len(kind) + len(options) + len(loss))
    net = gated_network(rng, kind, 2, 3, 3, **options)
    T = 5
    Y = rng.normal(size=(T, 3)) if loss is LossName.MSE else rng.integers(0, 3, (T, 1)) * 1.0
    errors = check(
        net, rng.normal(size=(T, 2)), Targets(Y, np.ones(T, dtype=bool)), loss, Reduction.MEAN
    )
    assert set(errors) >= {"W_xh", "W_hh", "b_xh", "b_hh", "W_ho", "b_o", "h0"}
    assert ("c0" in errors) == (kind == "lstm")
    assert max(errors.values()) < 1e-6, errors


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*RNNCLI, "backward", *args], capture_output=True, text=True)


def test_json_holds_each_gates_gradients(tmp_path: Path) -> None:
    targets = tmp_path / "y.csv"
    targets.write_text("0.5,-0.5\n")
    done = _run(
        str(ROOT / "samples" / "lesson.csv"),
        "-c",
        LSTM_LESSON,
        "--targets",
        str(targets),
        "-f",
        "json",
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    gradients = document["gradients"]
    assert list(gradients) == ["i", "f", "g", "o", "h0", "c0"]
    for gate in "ifgo":
        assert list(gradients[gate]) == ["W_xh", "W_hh", "b_xh", "b_hh"]
        assert np.shape(gradients[gate]["W_hh"]) == (2, 2)
        # b_xh and b_hh are added inside each gate: one gradient for both
        assert gradients[gate]["b_xh"] == gradients[gate]["b_hh"]
    step = document["steps"][-1]
    assert len(step["c"]) == 2 and len(step["dL_dc"]) == 2
    # many-to-one, no output layer: dL/dh_T = 2 (h_T - y), and nothing from the future
    np.testing.assert_allclose(step["dL_dh"], 2 * (np.array(step["h"]) - [0.5, -0.5]), atol=1e-15)
    assert step["dL_dh_from_future"] == [0.0, 0.0]
    # the loss at t = 20 still reaches c_1, through the forget gates
    assert min(abs(v) for v in document["steps"][0]["dL_dc"]) > 1e-3
    assert document["gradient_flow"][0]["cell_norm"] > 1.0


def test_compare_shows_the_chapters_lesson() -> None:
    """The same sequence through an rnn and an lstm of the same size: 20 steps back,
    the rnn's gradient has vanished (below 1e-6), the lstm's c_T still depends on c_0."""
    done = _run(*LESSON, "--compare", LSTM_LESSON, "-f", "json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    rnn, lstm = document["gradient_flow"], document["compare"]["gradient_flow"]
    assert len(rnn) == len(lstm) == 20
    assert rnn[0]["norm"] < 1e-6
    assert lstm[0]["cell_norm"] > 1.0
    assert 0.3 < lstm[0]["forget_product"] < 1.0
    assert document["compare"]["network"]["cell"] == "lstm"
    table = _run(*LESSON, "--compare", LSTM_LESSON, "-f", "table")
    assert table.returncode == 0, table.stderr
    assert "lstm: ‖∂c_20/∂c_k‖₂" in table.stdout and "forget gates" in table.stdout


def test_refuses_what_it_does_not_take_apart(tmp_path: Path) -> None:
    config = tmp_path / "peep.yaml"
    text = (ROOT / "configs" / "lesson-lstm.yaml").read_text()
    config.write_text(text + "  peepholes: {i: [0.1, 0.1], o: [0.1, 0.1], f: [0.1, 0.1]}\n")
    done = _run(str(ROOT / "samples" / "lesson.csv"), "-c", str(config))
    assert done.returncode == 2
    assert "rnn, gru and lstm cells; an lstm without peepholes or W_hr" in done.stderr
    done = _run(*LESSON, "--compare", str(tmp_path / "missing.yaml"))
    assert done.returncode != 0


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_the_gradients_table_has_one_block_per_gate(tmp_path: Path, kind: str) -> None:
    rng = np.random.default_rng(11)
    net = gated_network(rng, kind, 1, 2, 2)
    config, sequence, target = tmp_path / "n.yaml", tmp_path / "x.csv", tmp_path / "y.csv"
    config.write_text(network_yaml(net, []))
    sequence.write_text("0.5\n-1.0\n0.25\n")
    target.write_text("0.1,0.2\n")
    request = BackwardRequest(sequence=str(sequence), config=str(config), targets=str(target))
    report = backward_report(request)
    console = Console(record=True, width=200, color_system=None)
    console.print(gradients_table(report, 4))
    text = console.export_text()
    H, stacked = 2, report.gradients
    labels = [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]
    gates = "ifgo" if kind == "lstm" else "rzn"
    expected = [f"{name}^{g}" for g in gates for name in ("W_xh", "W_hh", "b_xh", "b_hh")]
    assert [label for label in labels if label] == [*expected, "W_ho", "b_o", "h0"] + (
        ["c0"] if kind == "lstm" else []
    )
    assert text.count("├") == len(gates)  # a rule after each gate's block
    for k, g in enumerate(gates):
        # Gate g's block holds rows kH..(k+1)H of the stacked gradient.
        w_hh = stacked["W_hh"][k * H]
        row = next(line for line in text.splitlines() if line.startswith(f"│ W_hh^{g} "))
        assert row.split("│")[3].split() == [fixed(float(v), 4) for v in w_hh]
