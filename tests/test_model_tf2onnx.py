"""ONNX graphs tf2onnx makes from Keras models (tests/tf2onnx_models.py, run once in a
subprocess on the TensorFlow backend): LSTMs, stacked, bidirectional (one bidirectional
operator, its directions sliced apart and concatenated) and with a Dense head (MatMul
between two Reshapes, then Add), run to ONNX Runtime's and Keras's numbers (float32,
1e-5). Keras 3's GRU and SimpleRNN stay a Loop, which is refused naming the node."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnncli.cli import app
from tests.conftest import ROOT, X, forward, outputs, reference_module, requires, runner

pytestmark = [requires("tensorflow", "tf2onnx"), pytest.mark.slow]
ort = reference_module("onnxruntime")

READ = ["lstm_L1fw", "lstm_L2fwhead", "lstm_L1bi", "lstm_L2bihead"]
LOOPS = ["gru_reset_after", "gru_reset_before", "simple_rnn"]


@pytest.fixture(scope="session")
def tf2onnx_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every model of tests/tf2onnx_models.py as .onnx with Keras's output as .npy."""
    folder = tmp_path_factory.mktemp("tf2onnx")
    environment = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "tests.tf2onnx_models", str(folder)],
        env=environment,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return folder


@pytest.mark.parametrize("stem", READ)
def test_a_tf2onnx_lstm_runs_to_onnx_runtime_and_keras(tf2onnx_files: Path, stem: str) -> None:
    model = tf2onnx_files / f"{stem}.onnx"
    (y,) = ort.InferenceSession(str(model)).run(None, {"x": X[None].astype(np.float32)})
    ours = outputs(forward(model, tf2onnx_files, "--dtype", "float32"))
    np.testing.assert_allclose(ours, y[0], rtol=0, atol=1e-5)
    np.testing.assert_allclose(ours, np.load(tf2onnx_files / f"{stem}.npy"), rtol=0, atol=1e-5)


@pytest.mark.parametrize("stem", LOOPS)
def test_a_recurrence_tf2onnx_leaves_a_loop_is_refused_naming_it(
    tf2onnx_files: Path, stem: str
) -> None:
    model = tf2onnx_files / f"{stem}.onnx"
    (y,) = ort.InferenceSession(str(model)).run(None, {"x": X[None].astype(np.float32)})
    np.testing.assert_allclose(y[0], np.load(tf2onnx_files / f"{stem}.npy"), rtol=0, atol=1e-5)
    result = runner.invoke(app, ["forward", str(tf2onnx_files / "x.csv"), "-c", str(model)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"rnncli: error: {model}: node '")
    assert result.stderr.endswith(
        "(Loop): the recurrence is unrolled into a Loop, which is not read; "
        "export with the RNN, LSTM or GRU operator, or give rnncli the framework's own file "
        "(.keras, .h5, .pt)\n"
    )
    assert len(result.stderr.splitlines()) == 1


def test_the_import_header_names_the_conversions(tf2onnx_files: Path) -> None:
    result = runner.invoke(app, ["import", str(tf2onnx_files / "lstm_L2bihead.onnx")])
    assert result.exit_code == 0, result.stderr
    header = [line for line in result.stdout.splitlines() if line.startswith("# conversion:")]
    assert header == [
        "# conversion: ONNX LSTM: gate blocks reordered from i,o,f,c to i,f,g,o; B split into "
        "b_xh, b_hh",
        "# conversion: ONNX MatMul weight transposed into W_ho",
    ]
