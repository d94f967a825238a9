"""ONNX graphs from torch.onnx.export(dynamo=True): nn.LSTM and nn.GRU become the ONNX
LSTM and GRU operators, each layer followed by Transpose and Reshape, and run to torch's
numbers (float32, 1e-5); nn.RNN is unrolled step by step, and refused naming a node."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from tests.conftest import reference_module

torch = reference_module("torch")
reference_module("onnx")
reference_module("onnxscript")
runner = CliRunner()
X = np.random.default_rng(11).normal(size=(5, 3))
CASES = {"LSTM": (2, True), "GRU": (1, False), "RNN": (1, False)}


class Net(torch.nn.Module):
    def __init__(self, kind: str, layers: int, bidirectional: bool) -> None:
        super().__init__()
        self.rnn = getattr(torch.nn, kind)(
            3, 4, num_layers=layers, bidirectional=bidirectional, batch_first=True
        )
        self.fc = torch.nn.Linear(8 if bidirectional else 4, 2)

    def forward(self, x: Any) -> Any:
        return self.fc(self.rnn(x)[0])


@pytest.fixture(scope="module")
def dynamo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dynamo")
    np.savetxt(folder / "x.csv", X, delimiter=",", header="x1,x2,x3", comments="")
    torch.manual_seed(4)
    x = torch.tensor(X[None], dtype=torch.float32)
    for kind, (layers, bidirectional) in CASES.items():
        net = Net(kind, layers, bidirectional).eval()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                net, (x,), str(folder / f"{kind}.onnx"), dynamo=True, external_data=False
            )
        with torch.no_grad():
            np.save(folder / f"{kind}.npy", net(x)[0].numpy())
    return folder


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_a_dynamo_graph_runs_to_torch(dynamo_files: Path, kind: str) -> None:
    model, sequence = str(dynamo_files / f"{kind}.onnx"), str(dynamo_files / "x.csv")
    result = runner.invoke(
        app, ["forward", sequence, "-c", model, "-f", "json", "--dtype", "float32"]
    )
    assert result.exit_code == 0, result.stderr
    ours = np.array([step["o"] for step in json.loads(result.stdout)["steps"]])
    np.testing.assert_allclose(ours, np.load(dynamo_files / f"{kind}.npy"), atol=1e-5)


def test_an_unrolled_dynamo_rnn_is_refused_naming_a_step(dynamo_files: Path) -> None:
    result = runner.invoke(app, ["import", str(dynamo_files / "RNN.onnx")])
    assert result.exit_code == 1
    assert "RNN.onnx: has no RNN, LSTM or GRU node: the recurrence is unrolled" in result.stderr
    assert "(5 Tanh/Relu nodes, the first node '" in result.stderr
    assert "dynamo=False" in result.stderr


def test_a_default_export_reads_its_weights_from_the_data_file_beside_it(
    tmp_path: Path,
) -> None:
    """torch.onnx.export's defaults (dynamo, external_data=True) keep a model of some size
    in model.onnx.data; rnncli reads it from there, to torch's numbers."""
    import onnx

    torch.manual_seed(5)
    net = torch.nn.LSTM(16, 64, num_layers=2, bidirectional=True, batch_first=True).eval()
    x = torch.tensor(np.random.default_rng(3).normal(size=(1, 6, 16)), dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (x,), str(tmp_path / "lstm.onnx"))
    stored = onnx.load(str(tmp_path / "lstm.onnx"), load_external_data=False)
    external = [
        t.name for t in stored.graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL
    ]
    assert external and (tmp_path / "lstm.onnx.data").stat().st_size > 0  # what is tested
    np.savetxt(tmp_path / "x.csv", x[0].numpy(), delimiter=",")
    result = runner.invoke(
        app,
        ["forward", str(tmp_path / "x.csv"), "-c", str(tmp_path / "lstm.onnx"), "-f", "json"],
    )
    assert result.exit_code == 0, result.stderr
    ours = np.array([step["h"] for step in json.loads(result.stdout)["steps"]])  # float64
    with torch.no_grad():
        theirs = net(x)[0][0].numpy()
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)
