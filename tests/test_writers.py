"""The csv and json writers (rnncli.views.formats) parsed back by real parsers, exact to the bit."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np

from rnncli.core.forward import forward
from rnncli.core.forward_result import Forward
from rnncli.core.network import Network, single_layer
from rnncli.core.sequence_run import Run
from rnncli.models.config.read import default_network
from rnncli.option_values import Mode, OutputFormat
from rnncli.views.delimited import delimited_header
from rnncli.views.formats import FORMATS, Shown
from rnncli.views.step_values import number_text
from tests.conftest import textbook


def text_of(result: Forward, net: Network, output_format: OutputFormat, header: bool = True) -> str:
    out = io.StringIO()
    FORMATS[output_format].forward([Run(result)], net, out, Shown(header=header))
    return out.getvalue()


def to_csv(result: Forward, net: Network) -> str:
    return text_of(result, net, OutputFormat.CSV)


def to_json(result: Forward, net: Network) -> str:
    return text_of(result, net, OutputFormat.JSON)


def softmax_network() -> Network:
    rng = np.random.default_rng(7)
    return single_layer(
        W_xh=rng.normal(size=(3, 2)),
        W_hh=rng.normal(size=(3, 3)) * 0.5,
        b_xh=rng.normal(size=3),
        b_hh=rng.normal(size=3),
        h0=np.zeros(3),
        W_ho=rng.normal(size=(4, 3)),
        b_o=rng.normal(size=4),
        output_activation="softmax",
        name="soft",
    )


def test_json_document_has_the_keys_of_the_design() -> None:
    net = default_network()
    result = forward(net, np.array(textbook.X))
    document = json.loads(to_json(result, net))
    assert list(document) == ["mode", "network", "steps", "output", "h_n"]
    assert document["mode"] == "many-to-many"
    assert document["network"] == {
        "name": "textbook",
        "input_size": 5,
        "hidden_size": 2,
        "output_size": 2,
        "activation": "tanh",
        "output_activation": None,
    }
    assert [list(step) for step in document["steps"]] == [["t", "x", "h", "o"]] * 3
    assert [step["t"] for step in document["steps"]] == [1, 2, 3]
    np.testing.assert_allclose(document["h_n"], textbook.H3_FLOAT64, atol=1e-10)
    np.testing.assert_allclose(document["output"], textbook.PRINTED_OUTPUT, atol=1e-7)


def test_many_to_one_json_has_one_output() -> None:
    net = softmax_network()
    result = forward(net, np.random.default_rng(1).normal(size=(4, 2)), mode=Mode.MANY_TO_ONE)
    document = json.loads(to_json(result, net))
    assert document["mode"] == "many-to-one"
    assert ["o" in step for step in document["steps"]] == [False, False, False, True]
    assert document["output"] == document["steps"][-1]["o"]
    assert math.isclose(sum(document["output"]), 1.0)


def test_csv_and_json_carry_the_same_values_bit_for_bit() -> None:
    net = softmax_network()
    X = np.random.default_rng(3).normal(size=(6, 2)) * 1e3
    result = forward(net, X)
    rows = list(csv.DictReader(io.StringIO(to_csv(result, net))))
    document = json.loads(to_json(result, net))
    assert list(rows[0]) == ["t", "x1", "x2", "h1", "h2", "h3", "o1", "o2", "o3", "o4"]
    for row, step, x, h, o in zip(
        rows, document["steps"], result.X, result.H, result.O, strict=True
    ):
        assert int(row["t"]) == step["t"]
        for name, values, exact in (("x", step["x"], x), ("h", step["h"], h), ("o", step["o"], o)):
            from_csv = [float(row[f"{name}{k + 1}"]) for k in range(len(values))]
            assert from_csv == values == exact.tolist()


def test_many_to_one_csv_leaves_o_empty_before_the_last_step() -> None:
    net = softmax_network()
    result = forward(net, np.ones((3, 2)), mode=Mode.MANY_TO_ONE)
    rows = list(csv.reader(io.StringIO(to_csv(result, net))))
    assert rows[0] == delimited_header(net)
    assert [row[6:] for row in rows[1:3]] == [["", "", "", ""]] * 2
    assert [float(v) for v in rows[3][6:]] == result.O[0].tolist()


def test_csv_has_no_o_columns_without_an_output_layer() -> None:
    net = default_network()
    text = to_csv(forward(net, np.array(textbook.X)), net)
    assert text.splitlines()[0] == "t,x1,x2,x3,x4,x5,h1,h2"
    assert text.endswith("\n") and "\r" not in text


def test_numbers_round_trip_and_non_finite_values_stay_parseable() -> None:
    for value in (0.1, 1 / 3, -2.5e-300, 1e308, 5e-324):
        assert float(number_text(value)) == value
    assert [number_text(v) for v in (math.inf, -math.inf)] == ["inf", "-inf"]
    assert math.isnan(float(number_text(math.nan)))
    net = single_layer(
        W_xh=np.array([[1e308]]),
        W_hh=np.array([[1e308]]),
        b_xh=np.zeros(1),
        b_hh=np.zeros(1),
        h0=np.zeros(1),
        activation="relu",
    )
    result = forward(net, np.array([[10.0], [10.0]]))
    document = json.loads(to_json(result, net))
    assert document["steps"][0]["h"] == [None]
    assert document["h_n"] == [None]
    lines = text_of(result, net, OutputFormat.JSONL).splitlines()
    assert json.loads(lines[1])["h"] == [None]
    assert to_csv(result, net).splitlines()[1:] == ["1,10.0,inf", "2,10.0,inf"]


def test_every_format_carries_the_same_values() -> None:
    net = softmax_network()
    result = forward(net, np.random.default_rng(11).normal(size=(5, 2)))
    document = json.loads(to_json(result, net))
    from_jsonl = [
        json.loads(line) for line in text_of(result, net, OutputFormat.JSONL).splitlines()
    ]
    assert from_jsonl == document["steps"]
    tsv = list(csv.reader(io.StringIO(text_of(result, net, OutputFormat.TSV)), delimiter="\t"))
    csv_rows = list(csv.reader(io.StringIO(to_csv(result, net))))
    assert tsv == csv_rows
    for row, step in zip(tsv[1:], document["steps"], strict=True):
        assert [float(v) for v in row[1:]] == step["x"] + step["h"] + step["o"]


def test_no_header() -> None:
    net = default_network()
    result = forward(net, np.array(textbook.X))
    with_header = text_of(result, net, OutputFormat.TSV).splitlines()
    assert text_of(result, net, OutputFormat.TSV, header=False).splitlines() == with_header[1:]


def test_many_to_one_jsonl_has_o_only_at_the_last_step() -> None:
    net = softmax_network()
    result = forward(net, np.ones((3, 2)), mode=Mode.MANY_TO_ONE)
    lines = [json.loads(line) for line in text_of(result, net, OutputFormat.JSONL).splitlines()]
    assert [list(line) for line in lines] == [["t", "x", "h"]] * 2 + [["t", "x", "h", "o"]]
    assert lines[2]["o"] == result.O[0].tolist()


def test_auto_is_the_table_on_a_terminal_and_csv_elsewhere() -> None:
    assert OutputFormat.AUTO.resolved(to_terminal=True) is OutputFormat.TABLE
    assert OutputFormat.AUTO.resolved(to_terminal=False) is OutputFormat.CSV
    assert OutputFormat.JSON.resolved(to_terminal=True) is OutputFormat.JSON
