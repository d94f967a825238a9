"""Keras files the old reader refused, run to Keras's own numbers (float32, 1e-5): a
`.weights.h5` written by model.save_weights (no config: the layers read from its HDF5
groups) and a standalone go_backwards layer (rnncli's reverse direction, its steps
written beside the x_t they read where Keras returns them in reversed time order)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app

pytest.importorskip("h5py")
runner = CliRunner()
X = np.random.default_rng(5).normal(size=(7, 3))


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    os.environ["KERAS_BACKEND"] = "torch"
    keras = pytest.importorskip("keras")
    folder = tmp_path_factory.mktemp("keras_weights")
    np.savetxt(folder / "x.csv", X, delimiter=",", header="x1,x2,x3", comments="")
    keras.utils.set_random_seed(2)
    layers = keras.layers
    models = {
        "lstm.weights.h5": [
            layers.LSTM(4, return_sequences=True),
            layers.Dropout(0.1),
            layers.LSTM(4, return_sequences=True),
            layers.Dense(2),
        ],
        "bigru.weights.h5": [
            layers.Bidirectional(layers.GRU(4, return_sequences=True)),
            layers.Dense(2),
        ],
        "gru_before.weights.h5": [layers.GRU(4, return_sequences=True, reset_after=False)],
        "backwards.keras": [
            layers.LSTM(4, return_sequences=True, go_backwards=True),
            layers.Dense(2),
        ],
        "mixed.weights.h5": [
            layers.LSTM(4, return_sequences=True),
            layers.GRU(4, return_sequences=True),
        ],
        "backwards_stack.keras": [
            layers.SimpleRNN(4, return_sequences=True),
            layers.SimpleRNN(4, return_sequences=True, go_backwards=True),
        ],
    }
    for file, stack in models.items():
        model = keras.Sequential([keras.Input((None, 3)), *stack])
        if file.endswith(".weights.h5"):
            model.save_weights(folder / file)
        else:
            model.save(folder / file)
        y = model.predict(X[None].astype(np.float32), verbose=0)[0]
        np.save(folder / f"{file.split('.')[0]}.npy", y)
    return folder


def forward(folder: Path, file: str) -> dict[str, Any]:
    sequence, model = str(folder / "x.csv"), str(folder / file)
    result = runner.invoke(
        app, ["forward", sequence, "-c", model, "-f", "json", "--dtype", "float32"]
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def outputs(document: dict[str, Any]) -> np.ndarray:
    return np.array([step["o"] for step in document["steps"]])


@pytest.mark.parametrize("file", ["lstm.weights.h5", "bigru.weights.h5", "gru_before.weights.h5"])
def test_a_weights_file_runs_to_keras(keras_files: Path, file: str) -> None:
    expected = np.load(keras_files / f"{file.split('.')[0]}.npy")
    np.testing.assert_allclose(outputs(forward(keras_files, file)), expected, atol=1e-5)


def test_a_weights_file_imports_naming_what_was_assumed(keras_files: Path) -> None:
    result = runner.invoke(app, ["import", str(keras_files / "bigru.weights.h5")])
    assert result.exit_code == 0, result.stderr
    assert "cell: gru" in result.stdout
    assert "direction: bidirectional" in result.stdout
    assert (
        "# conversion: Keras weights only: layers read from the HDF5 groups; activations "
        "taken as Keras's defaults (tanh, sigmoid; Dense linear)"
    ) in result.stdout.splitlines()
    inspected = runner.invoke(app, ["inspect", str(keras_files / "lstm.weights.h5")])
    assert inspected.exit_code == 0, inspected.stderr


def test_a_weights_file_of_two_cells_is_refused(keras_files: Path) -> None:
    result = runner.invoke(app, ["import", str(keras_files / "mixed.weights.h5")])
    assert result.exit_code == 1
    assert "recurrent layers of one class" in result.stderr
    assert "gru, lstm" in result.stderr


def test_go_backwards_is_reverse_with_keras_steps_in_input_time(keras_files: Path) -> None:
    document = forward(keras_files, "backwards.keras")
    # Keras's row k is the step that read x_{T-1-k}: flipped, it lines up with x_t.
    expected = np.load(keras_files / "backwards.npy")[::-1]
    np.testing.assert_allclose(outputs(document), expected, atol=1e-5)
    result = runner.invoke(app, ["import", str(keras_files / "backwards.keras")])
    assert result.exit_code == 0, result.stderr
    assert "direction: reverse" in result.stdout
    assert "reversed time order" in result.stdout


def test_go_backwards_in_a_stack_is_refused(keras_files: Path) -> None:
    result = runner.invoke(app, ["import", str(keras_files / "backwards_stack.keras")])
    assert result.exit_code == 1
    assert "has go_backwards after another recurrent layer" in result.stderr
