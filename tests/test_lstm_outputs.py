"""An LSTM's c in every output, its state file, and its stream in pieces.

The network is built in Python (tests/test_lstm_gru.py's random networks) and handed to
the forward pipeline in place of a config file.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core.forward import forward
from rnncli.core.network import Network
from rnncli.core.sequence_run import Run
from rnncli.option_values import Direction, OutputFormat
from rnncli.pipelines import forward as forward_pipeline
from rnncli.pipelines.forward_request import ForwardRequest
from rnncli.pipelines.state_file import initial_state, save_state
from rnncli.views.formats import FORMATS, Shown
from tests.conftest import LSTM, LSTM_C_1, LSTM_H_1, random_gated_network, write_json


def lstm(layers: int = 1, direction: Direction = Direction.FORWARD) -> Network:
    return random_gated_network(
        np.random.default_rng(4), "lstm", {}, layers, direction, output=True
    )


def written(net: Network, X: np.ndarray, output_format: OutputFormat) -> str:
    out = io.StringIO()
    FORMATS[output_format].forward([Run(forward(net, X))], net, out, Shown())
    return out.getvalue()


def test_csv_has_c_columns_after_h_with_the_runs_values() -> None:
    net = lstm(direction=Direction.BIDIRECTIONAL)
    X = np.random.default_rng(0).normal(size=(3, 3))
    result = forward(net, X)
    lines = written(net, X, OutputFormat.CSV).splitlines()
    header = lines[0].split(",")
    assert header == ["t", "x1", "x2", "x3"] + [f"h{k}" for k in range(1, 9)] + [
        f"c{k}" for k in range(1, 9)
    ] + ["o1", "o2"]
    assert result.C is not None
    for k, line in enumerate(lines[1:]):
        cells = [float(v) for v in line.split(",")]
        assert cells[12:20] == result.C[k].tolist()  # bit for bit
    # A non-finite value takes the slow path: same columns.
    X[1, 0] = np.inf
    slow = written(net, X, OutputFormat.CSV).splitlines()
    assert len(slow[1].split(",")) == len(header)


def test_json_steps_carry_c_and_the_document_c_n() -> None:
    net = lstm(layers=2)
    X = np.random.default_rng(1).normal(size=(4, 3))
    result = forward(net, X)
    document = json.loads(written(net, X, OutputFormat.JSON))
    assert [step["c"] for step in document["steps"]] == result.C.tolist()  # type: ignore[union-attr]
    assert document["c_n"] == result.c_n.tolist()  # type: ignore[union-attr]
    assert list(document["steps"][0])[:4] == ["t", "x", "h", "c"]
    lines = written(net, X, OutputFormat.JSONL).splitlines()
    assert [json.loads(line)["c"] for line in lines] == result.C.tolist()  # type: ignore[union-attr]


def test_jsonl_of_a_one_layer_lstm_has_c() -> None:
    net = lstm()
    X = np.random.default_rng(2).normal(size=(3, 3))
    result = forward(net, X)
    lines = [json.loads(line) for line in written(net, X, OutputFormat.JSONL).splitlines()]
    assert [line["c"] for line in lines] == result.C.tolist()  # type: ignore[union-attr]


def test_the_state_file_holds_h0_and_c0_and_reads_back(tmp_path: Path) -> None:
    net = lstm(layers=2)
    X = np.random.default_rng(3).normal(size=(6, 3))
    first = forward(net, X[:2])
    path = tmp_path / "state.json"
    save_state(str(path), first.h_n, first.c_n)
    document = json.loads(path.read_text())
    assert document == {"h0": first.h_n.tolist(), "c0": first.c_n.tolist()}  # type: ignore[union-attr]
    h0, c0, _ = initial_state(str(path), net)
    assert h0 is not None and c0 is not None
    np.testing.assert_array_equal(c0, first.c_n)  # type: ignore[arg-type]
    second = forward(net, X[2:], h0=h0, c0=c0)
    np.testing.assert_array_equal(np.vstack([first.H, second.H]), forward(net, X).H)
    # A state file without c0 is not an LSTM's state.
    path.write_text(json.dumps({"h0": document["h0"]}))
    with pytest.raises(Exception, match="c0"):
        initial_state(str(path), net)


def _run(monkeypatch: pytest.MonkeyPatch, net: Network, request: ForwardRequest, chunk: int) -> str:
    monkeypatch.setattr(forward_pipeline, "load_config", lambda source: net)
    monkeypatch.setattr(forward_pipeline, "CHUNK_ROWS", chunk)
    forward_pipeline.run_forward(request, False, lambda message: None)
    return Path(request.output or "").read_text()


@pytest.mark.parametrize("output_format", [OutputFormat.CSV, OutputFormat.JSONL])
def test_a_stream_in_pieces_equals_one_pass_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output_format: OutputFormat
) -> None:
    net = lstm(layers=2)
    X = np.random.default_rng(5).normal(size=(50, 3))
    sequence = tmp_path / "x.csv"
    sequence.write_text("\n".join(",".join(repr(v) for v in row) for row in X.tolist()) + "\n")
    requests = [
        ForwardRequest(
            sequence=str(sequence),
            config="lstm.yaml",
            output_format=output_format,
            output=str(tmp_path / f"out{chunk}"),
            save_state=str(tmp_path / f"state{chunk}.json"),
        )
        for chunk in (7, 1000)
    ]
    pieces = _run(monkeypatch, net, requests[0], 7)
    whole = _run(monkeypatch, net, requests[1], 1000)
    assert pieces == whole
    assert (tmp_path / "state7.json").read_text() == (tmp_path / "state1000.json").read_text()
    assert '"c"' in whole or ",c1," in whole


def test_precision_rounds_c_and_c_n_like_h(tmp_path: Path) -> None:
    config = write_json(tmp_path / "net.yaml", LSTM)
    sequence = write_json(tmp_path / "x.json", [[1.0, 0.0]])
    args = ["forward", str(sequence), "-c", str(config), "-p", "4", "-f"]
    result = CliRunner().invoke(app, [*args, "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # c_1 = [0.83959067.., -0.51526778..] and h_1 = [0.34279609.., -0.41753254..] by hand
    assert document["steps"][0]["c"] == [0.8396, -0.5153]
    assert document["c_n"] == [0.8396, -0.5153]
    assert document["steps"][0]["h"] == [0.3428, -0.4175]
    assert [round(v, 4) for v in LSTM_C_1 + LSTM_H_1] == [0.8396, -0.5153, 0.3428, -0.4175]
    for fmt, delimiter in (("csv", ","), ("tsv", "\t"), ("jsonl", None)):
        result = CliRunner().invoke(app, [*args, fmt])
        assert result.exit_code == 0, result.output
        if delimiter is None:
            assert json.loads(result.stdout.splitlines()[0])["c"] == [0.8396, -0.5153]
            continue
        header, row = (line.split(delimiter) for line in result.stdout.splitlines())
        cells = dict(zip(header, row, strict=True))
        assert (cells["c1"], cells["c2"]) == ("0.8396", "-0.5153")
