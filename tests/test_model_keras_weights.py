"""Keras files the old reader refused, run to Keras's own numbers (float32, 1e-5): a
`.weights.h5` written by model.save_weights (no config: the layers read from its HDF5
groups; `import --cell` checked against them, `--activation` and `--recurrent-activation`
stating what the file cannot record) and a standalone go_backwards layer (rnncli's
reverse direction, its steps written beside the x_t they read where Keras returns them
in reversed time order)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import reference_module

reference_module("h5py")
runner = CliRunner()
X = np.random.default_rng(5).normal(size=(7, 3))


@pytest.fixture(scope="module")
def keras_files(tmp_path_factory: pytest.TempPathFactory, keras: ModuleType) -> Path:
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
        # activations a weights file cannot record: import states them
        "relu.weights.h5": [layers.SimpleRNN(4, activation="relu", return_sequences=True)],
        "hard.weights.h5": [
            layers.LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True),
            layers.Dense(2),
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
    assert result.stdout.splitlines()[:5] == [
        "# rnncli network imported from bigru.weights.h5",
        "# format: Keras",
        "# cell gru: derived from the layer groups",
        "# activations: Keras defaults (tanh, sigmoid; Dense linear), not recorded in a "
        "weights file",
        "# conversion: Keras weights only: layers read from the HDF5 groups",
    ]
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


def imported(*args: str | Path) -> Any:
    """`rnncli import ARGS`: its exit code, stdout and stderr."""
    return runner.invoke(app, ["import", *map(str, args)])


def test_a_cell_given_is_the_one_the_groups_hold(keras_files: Path) -> None:
    derived = imported(keras_files / "lstm.weights.h5")
    given = imported(keras_files / "lstm.weights.h5", "--cell", "lstm")
    assert given.exit_code == 0, given.stderr
    assert "# cell lstm: given by --cell" in given.stdout.splitlines()
    # The same network either way: only the header's line on the cell differs.
    assert given.stdout.replace("given by --cell", "derived from the layer groups") == (
        derived.stdout
    )


@pytest.mark.parametrize(
    ("file", "cell", "message"),
    [
        (
            "bigru.weights.h5",
            "lstm",
            "layer group 'bidirectional' holds gru cells; --cell says lstm",
        ),
        ("lstm.weights.h5", "rnn", "layer group 'lstm' holds lstm cells; --cell says rnn"),
        ("backwards.keras", "gru", "holds lstm layers; --cell says gru"),
    ],
)
def test_a_cell_given_that_the_file_does_not_hold_is_refused(
    keras_files: Path, file: str, cell: str, message: str
) -> None:
    result = imported(keras_files / file, "--cell", cell)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"rnncli: error: {keras_files / file}: {message}\n"


def test_a_cell_given_for_a_state_dict_is_checked_against_its_shapes(tmp_path: Path) -> None:
    torch = reference_module("torch")
    torch.save(torch.nn.GRU(3, 4).state_dict(), tmp_path / "gru.pt")
    assert imported(tmp_path / "gru.pt", "--cell", "gru").exit_code == 0
    refused = imported(tmp_path / "gru.pt", "--cell", "lstm")
    assert (refused.exit_code, refused.stdout) == (1, "")
    assert refused.stderr.endswith("gru.pt: holds gru layers; --cell says lstm\n")


def run_imported(folder: Path, file: str, *options: str) -> np.ndarray:
    """The file imported with `options` into a config, run in float32: its o_t."""
    config = folder / f"{file.split('.')[0]}{len(options)}.yaml"
    result = imported(folder / file, "-o", config, "--force", *options)
    assert result.exit_code == 0, result.stderr
    return outputs(forward(folder, config.name))


def test_an_activation_stated_runs_to_keras(keras_files: Path) -> None:
    expected = np.load(keras_files / "relu.npy")  # SimpleRNN(activation='relu')
    np.testing.assert_allclose(
        run_imported(keras_files, "relu.weights.h5", "--activation", "relu"), expected, atol=1e-5
    )
    # Keras's default tanh, read without it, is another network:
    assert np.abs(run_imported(keras_files, "relu.weights.h5") - expected).max() > 0.01
    header = imported(keras_files / "relu.weights.h5", "--activation", "relu").stdout
    assert header.splitlines()[2:4] == [
        "# cell rnn: derived from the layer groups",
        "# activation relu: given by --activation",
    ]


def test_a_recurrent_activation_stated_runs_to_keras(keras_files: Path) -> None:
    expected = np.load(keras_files / "hard.npy")  # LSTM(recurrent_activation='hard_sigmoid')
    options = ("--recurrent-activation", "hard_sigmoid")
    np.testing.assert_allclose(
        run_imported(keras_files, "hard.weights.h5", *options), expected, atol=1e-5
    )
    assert np.abs(run_imported(keras_files, "hard.weights.h5") - expected).max() > 1e-3
    header = imported(keras_files / "hard.weights.h5", *options).stdout
    assert header.splitlines()[2:6] == [
        "# cell lstm: derived from the layer groups",
        "# activation tanh: Keras default, not recorded in a weights file",
        "# recurrent activation hard_sigmoid: given by --recurrent-activation",
        "# Dense activation linear: Keras default, not recorded in a weights file",
    ]


@pytest.mark.parametrize("file", ["backwards.keras", "relu.weights.h5"])
def test_a_recurrent_activation_without_gates_to_read_it_is_refused(
    keras_files: Path, file: str
) -> None:
    result = imported(keras_files / file, "--recurrent-activation", "hard_sigmoid")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"rnncli: error: {keras_files / file}: ")
    assert {
        "backwards.keras": "--recurrent-activation is read for a Keras .weights.h5 only",
        "relu.weights.h5": "layer group 'simple_rnn' is a SimpleRNN, which has no gates",
    }[file] in result.stderr


def test_an_activation_is_not_stated_over_a_file_that_records_its_own(keras_files: Path) -> None:
    """A .keras model records its activations: --activation would silently mean nothing."""
    result = imported(keras_files / "backwards.keras", "--activation", "relu")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"rnncli: error: {keras_files / 'backwards.keras'}: --activation is read for a "
        "PyTorch state_dict or a Keras .weights.h5 only; this file records its own\n"
    )
