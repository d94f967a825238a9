"""Every view of `forward --explain`, for an rnn, an LSTM and a GRU, in float64 and
float32, with and without -p N, read back number by number.

The unrounded run (`-f json --explain`) is first held to an independent reference: the
rnn's steps worked by hand with numpy, the LSTM's and GRU's by torch (nn.LSTM / nn.GRU
for h and c, torch's own weights for the gates). Then every number each view writes is
held to that run: with -p N, the exact value (the run's float32 or float64, taken as its
exact decimal) rounded half to even to N decimals, once; in the views for people (table,
markdown, latex, html, svg) at 4 decimals without -p; in the machine formats without -p,
the exact value itself.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from rnncli.cli import app
from tests.conftest import SAMPLE, CheckedHtml, latex_checked, pipe_rows, runner, write_json

GATES = {"rnn": (), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}
I, H, O, T = 2, 3, 2, 4
VIEWS = ("table", "csv", "tsv", "json", "jsonl", "markdown", "latex", "html", "svg")
MACHINE = ("csv", "tsv", "json", "jsonl")
#: The decimals of the views for people without -p.
TABLE_PRECISION = 4

Key = tuple[int, str, int]  # (t, key, unit): "gates.i" for the gate i's values


# -- the networks, and the reference ---------------------------------------------


def _weights(kind: str) -> dict[str, np.ndarray]:
    """Random stacked weights (gates in rnncli's order, PyTorch's too), an output layer,
    h0 (and c0) not zero, so that every term is seen."""
    rng = np.random.default_rng({"rnn": 11, "lstm": 12, "gru": 13}[kind])
    G = max(1, len(GATES[kind]))
    return {
        "W_xh": rng.normal(0, 0.6, (G * H, I)),
        "W_hh": rng.normal(0, 0.6, (G * H, H)),
        "b_xh": rng.normal(0, 0.4, G * H),
        "b_hh": rng.normal(0, 0.4, G * H),
        "W_ho": rng.normal(0, 0.6, (O, H)),
        "b_o": rng.normal(0, 0.4, O),
        "h0": rng.normal(0, 0.5, H),
        "c0": rng.normal(0, 0.5, H),
        "X": rng.normal(0, 1.0, (T, I)),
    }


def _config(kind: str, w: dict[str, np.ndarray]) -> dict[str, Any]:
    weights: dict[str, Any] = {"W_ho": w["W_ho"], "b_o": w["b_o"]}
    names = ("W_xh", "W_hh", "b_xh", "b_hh")
    if kind == "rnn":
        weights.update({name: w[name] for name in names})
    for k, gate in enumerate(GATES[kind]):
        weights[gate] = {name: w[name][k * H : (k + 1) * H] for name in names}
    config: dict[str, Any] = {"cell": kind, "activation": "tanh", "weights": weights}
    config.update(output_activation="identity", h0=w["h0"])
    if kind == "lstm":
        config["c0"] = w["c0"]
    if kind == "gru":
        config["reset_after"] = True
    return config


def _reference(kind: str, w: dict[str, np.ndarray], dtype: str) -> list[dict[str, np.ndarray]]:
    """Every step's values under the json keys, computed independently of rnncli."""
    if kind == "rnn":
        return _rnn_reference(w, np.dtype(dtype))
    return _gated_reference(kind, w, getattr(torch, dtype))


def _rnn_reference(w: dict[str, np.ndarray], dtype: np.dtype[Any]) -> list[dict[str, np.ndarray]]:
    """h_t = tanh(W_xh x_t + b_xh + W_hh h_{t-1} + b_hh), o_t = W_ho h_t + b_o, by hand."""
    W_xh, W_hh, b_xh, b_hh, W_ho, b_o = (
        w[n].astype(dtype) for n in ("W_xh", "W_hh", "b_xh", "b_hh", "W_ho", "b_o")
    )
    h, steps = w["h0"].astype(dtype), []
    for x in w["X"].astype(dtype):
        wx, wh = W_xh @ x, W_hh @ h
        z = wx + b_xh + wh + b_hh
        h_new = np.tanh(z)
        wo = W_ho @ h_new
        steps.append(
            {"x": x, "h": h_new, "o": wo + b_o, "h_prev": h, "W_xh_x": wx, "b_xh": b_xh}
            | {"W_xh_x_b_xh": wx + b_xh, "W_hh_h_prev": wh, "b_hh": b_hh, "z": z}
            | {"W_ho_h": wo, "b_o": b_o, "o_pre": wo + b_o}
        )
        h = h_new
    return steps


def _gated_reference(
    kind: str, w: dict[str, np.ndarray], dtype: torch.dtype
) -> list[dict[str, np.ndarray]]:
    """h (and c) from nn.LSTM / nn.GRU; each gate from the module's own weights."""
    module: Any = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(I, H).to(dtype)
    with torch.no_grad():
        for name, key in (("weight_ih_l0", "W_xh"), ("weight_hh_l0", "W_hh")):
            getattr(module, name).copy_(torch.tensor(w[key]))
        module.bias_ih_l0.copy_(torch.tensor(w["b_xh"]))
        module.bias_hh_l0.copy_(torch.tensor(w["b_hh"]))
        X = torch.tensor(w["X"], dtype=dtype)
        h0 = torch.tensor(w["h0"], dtype=dtype).reshape(1, 1, H)
        c0 = torch.tensor(w["c0"], dtype=dtype).reshape(1, 1, H)
        out = module(X[:, None, :], (h0, c0) if kind == "lstm" else h0)[0][:, 0, :]
        W_xh, W_hh = module.weight_ih_l0, module.weight_hh_l0
        b_xh, b_hh = module.bias_ih_l0, module.bias_hh_l0
        W_ho, b_o = torch.tensor(w["W_ho"], dtype=dtype), torch.tensor(w["b_o"], dtype=dtype)
        h, c, steps = h0[0, 0], c0[0, 0], []
        for t in range(T):
            x = X[t]
            wx, wh = W_xh @ x, W_hh @ h
            step: dict[str, Any] = {"x": x, "h_prev": h}
            for k, gate in enumerate(GATES[kind]):
                part = slice(k * H, (k + 1) * H)
                step |= {f"W_xh_x_{gate}": wx[part], f"b_xh_{gate}": b_xh[part]}
                step |= {f"W_hh_h_prev_{gate}": wh[part], f"b_hh_{gate}": b_hh[part]}
                if kind == "gru" and gate == "n":
                    step["recurrent_n"] = step["gates.r"] * (wh[part] + b_hh[part])
                    z = wx[part] + b_xh[part] + step["recurrent_n"]
                else:
                    z = wx[part] + b_xh[part] + wh[part] + b_hh[part]
                step[f"z_{gate}"] = z
                step[f"gates.{gate}"] = torch.tanh(z) if gate in "gn" else torch.sigmoid(z)
            g = {gate: step[f"gates.{gate}"] for gate in GATES[kind]}
            if kind == "lstm":
                step |= {"c_prev": c, "f_c_prev": g["f"] * c, "i_g": g["i"] * g["g"]}
                c = g["f"] * c + g["i"] * g["g"]
                step |= {"c": c, "act_c": torch.tanh(c)}
                h = g["o"] * torch.tanh(c)
            else:
                step |= {"one_minus_z_n": (1 - g["z"]) * g["n"], "z_h_prev": g["z"] * h}
                h = (1 - g["z"]) * g["n"] + g["z"] * h
            torch.testing.assert_close(h, out[t])  # the module's own h_t
            wo = W_ho @ h
            step |= {"h": h, "o": wo + b_o, "W_ho_h": wo, "b_o": b_o, "o_pre": wo + b_o}
            steps.append(step)
    return [{key: value.detach().numpy() for key, value in step.items()} for step in steps]


# -- running rnncli ----------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each network's config and sequence, written once."""
    path = tmp_path_factory.mktemp("explain_views")
    for kind in GATES:
        w = _weights(kind)
        write_json(path / f"{kind}.yaml", _config(kind, w))
        lines = ["x1,x2", *(",".join(repr(v) for v in row) for row in w["X"].tolist())]
        (path / f"{kind}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _forward(folder: Path, kind: str, dtype: str, view: str, precision: int | None) -> str:
    args = ["forward", str(folder / f"{kind}.csv"), "-c", str(folder / f"{kind}.yaml")]
    args += ["--explain", "--dtype", dtype, "-f", view]
    if precision is not None:
        args += ["-p", str(precision)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


@functools.cache
def _exact(folder: Path, kind: str, dtype: str) -> dict[Key, float]:
    """The unrounded run's every number, by (t, key, unit)."""
    document = json.loads(_forward(folder, kind, dtype, "json", None))
    return {key: float(text) for key, text in _json_numbers(document["steps"]).items()}


def _json_numbers(steps: list[dict[str, Any]]) -> dict[Key, str]:
    numbers = {}
    for step in steps:
        flat = {key: value for key, value in step.items() if key not in ("t", "gates")}
        flat |= {f"gates.{gate}": values for gate, values in step.get("gates", {}).items()}
        for key, values in flat.items():
            for unit, value in enumerate(values):
                numbers[step["t"], key, unit] = value
    return numbers


# -- reading each view back ------------------------------------------------------------


def _machine_numbers(view: str, text: str) -> dict[Key, str]:
    """Every number a machine format writes, as its text, by (t, key, unit)."""
    if view in ("json", "jsonl"):
        if view == "json":
            steps = json.loads(text, parse_float=str)["steps"]
        else:
            steps = [json.loads(line, parse_float=str) for line in text.splitlines()]
        return _json_numbers(steps)
    rows = list(csv.reader(io.StringIO(text), delimiter="," if view == "csv" else "\t"))
    header, numbers = rows[0], {}
    for row in rows[1:]:
        for name, cell in zip(header[1:], row[1:], strict=True):
            match = re.fullmatch(r"(.+?)(\d+)", name)
            assert match is not None, name
            key = match[1].replace("gate_", "gates.", 1) if name.startswith("gate_") else match[1]
            numbers[int(row[0]), key, int(match[2]) - 1] = cell
    return numbers


def _row_keys(kind: str) -> list[str]:
    """The explain table's rows of one step, top to bottom, by key (the output's last)."""
    if kind == "rnn":
        rows = ["W_xh_x", "b_xh", "W_xh_x_b_xh", "W_hh_h_prev", "b_hh", "z", "h"]
    else:
        rows = []
        for gate in GATES[kind]:
            terms = [f"{key}_{gate}" for key in ("W_xh_x", "b_xh", "W_hh_h_prev", "b_hh")]
            if (kind, gate) == ("gru", "n"):
                terms.append("recurrent_n")
            rows += [*terms, f"z_{gate}", f"gates.{gate}"]
        rows += (
            ["f_c_prev", "i_g", "c", "act_c", "h"]
            if kind == "lstm"
            else ["one_minus_z_n", "z_h_prev", "h"]
        )
    return [*rows, "o_pre", "o"]


def _terminal_lines(view: str, text: str) -> list[str]:
    """The table's text as a terminal shows it, from the table, the page or the image."""
    if view == "html":
        page = CheckedHtml()
        page.feed(text)
        return page.text.splitlines()
    if view == "svg":
        lines: dict[str, str] = {}
        for element in ET.fromstring(text).iter("{http://www.w3.org/2000/svg}text"):
            y = element.get("y", "")
            lines[y] = lines.get(y, "") + (element.text or "").replace("\xa0", " ")
        return list(lines.values())
    return text.splitlines()


def _table_cells(view: str, text: str) -> list[list[str]]:
    """The number cells of every row of every explain table, in the order written."""
    if view in ("table", "html", "svg"):
        rows = [
            [cell.strip() for cell in line.strip().strip("│").split("│")][1:]
            for line in _terminal_lines(view, text)
            if line.startswith("│")
        ]
    elif view == "markdown":
        rows = [row[1:] for row in pipe_rows(text) if row[0] != "term"]
    else:
        body = re.findall(r"\\midrule\n(.*?)\\bottomrule", text, re.DOTALL)
        lines = [line for block in body for line in block.splitlines()]
        rows = [line.removesuffix(r" \\").split(" & ")[1:] for line in lines]
    return [[cell.replace("\\*", "").rstrip("* ") for cell in row] for row in rows]


def _rounded(value: float, decimals: int) -> Decimal:
    """The exact value rounded once to `decimals`, half to even."""
    return Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def _decimals(text: str) -> int:
    exponent = Decimal(text).as_tuple().exponent
    assert isinstance(exponent, int), text
    return max(0, -exponent)


# -- the tests -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_the_unrounded_run_is_the_reference(folder: Path, kind: str, dtype: str) -> None:
    exact = _exact(folder, kind, dtype)
    reference = _reference(kind, _weights(kind), dtype)
    expected = {
        (t, key, unit): float(value)
        for t, step in enumerate(reference, start=1)
        for key, values in step.items()
        for unit, value in enumerate(values.tolist())
    }
    assert exact.keys() == expected.keys()
    tolerance = 1e-12 if dtype == "float64" else 2e-6
    for key, value in expected.items():
        assert exact[key] == pytest.approx(value, abs=tolerance), key


@pytest.mark.parametrize("precision", [None, 2, 4, 8, 17])
@pytest.mark.parametrize("view", MACHINE)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_machine_formats_round_each_value_once(
    folder: Path, kind: str, dtype: str, view: str, precision: int | None
) -> None:
    exact = _exact(folder, kind, dtype)
    written = _machine_numbers(view, _forward(folder, kind, dtype, view, precision))
    assert written.keys() == exact.keys()
    for key, text in written.items():
        if precision is None:  # exact: the shortest text that reads back bit for bit
            assert float(text) == exact[key], (key, text)
            assert text == repr(exact[key]), (key, text)
        else:
            rounded = _rounded(exact[key], precision)
            if len(rounded.normalize().as_tuple().digits) <= 15:  # a float64 holds it
                assert Decimal(text) == rounded, (key, text)
            else:  # more digits than a float64 holds: the float nearest to it
                assert float(text) == float(rounded), (key, text)
            assert _decimals(text) <= precision, (key, text)
            assert text == repr(float(text)), (key, text)  # shortest: -0.8888316, not ...999


@pytest.mark.parametrize("precision", [None, 2, 4, 8])
@pytest.mark.parametrize("view", ["table", "markdown", "latex", "html", "svg"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_views_for_people_show_each_value_rounded_once(
    folder: Path, kind: str, dtype: str, view: str, precision: int | None
) -> None:
    exact = _exact(folder, kind, dtype)
    decimals = TABLE_PRECISION if precision is None else precision
    rows = _table_cells(view, _forward(folder, kind, dtype, view, precision))
    keys = [(t, key) for t in range(1, T + 1) for key in _row_keys(kind)]
    assert len(rows) == len(keys)
    for (t, key), cells in zip(keys, rows, strict=True):
        assert len(cells) == (O if key in ("o_pre", "o") else H), (t, key, cells)
        for unit, cell in enumerate(cells):
            assert _decimals(cell) == decimals, (t, key, cell)
            assert Decimal(cell) == _rounded(exact[t, key, unit], decimals), (t, key, cell)


@pytest.mark.parametrize("precision", [2, 4, 8])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_the_table_and_the_csv_agree(folder: Path, kind: str, dtype: str, precision: int) -> None:
    written = _machine_numbers("csv", _forward(folder, kind, dtype, "csv", precision))
    rows = _table_cells("table", _forward(folder, kind, dtype, "table", precision))
    keys = [(t, key) for t in range(1, T + 1) for key in _row_keys(kind)]
    for (t, key), cells in zip(keys, rows, strict=True):
        for unit, cell in enumerate(cells):
            assert Decimal(cell) == Decimal(written[t, key, unit]), (t, key, unit)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("precision", [2, 4, 8])
def test_the_hand_worked_sum_of_a_document_is_rounded_once(
    folder: Path, dtype: str, precision: int
) -> None:
    """markdown's and latex's W_xh x_1 + b_xh: the run's own sum, rounded once."""
    exact = _exact(folder, "rnn", dtype)
    expected = [_rounded(exact[1, "W_xh_x_b_xh", unit], precision) for unit in range(H)]
    markdown = _forward(folder, "rnn", dtype, "markdown", precision)
    latex = _forward(folder, "rnn", dtype, "latex", precision)
    for pattern, text in (
        (r"\$W_\{xh\} x_\{1\} \+ b_\{xh\} = \(([^)]*)\)\$", markdown),
        (r"W_\{xh\} x_\{1\} \+ b_\{xh\} &= \(([^)]*)\)", latex),
    ):
        match = re.search(pattern, text)
        assert match is not None, text
        assert [Decimal(v) for v in match[1].split(", ")] == expected


@pytest.mark.parametrize("kind", ["lstm", "gru"])
@pytest.mark.parametrize("view", ["markdown", "latex"])
def test_a_gated_document_writes_the_step_by_hand(folder: Path, kind: str, view: str) -> None:
    """The explain table's hand-worked lines: t = 1's state from its gates, unit by unit."""
    exact = _exact(folder, kind, "float64")
    text = _forward(folder, kind, "float64", view, 6)
    if view == "latex":
        latex_checked(text)  # environments closed, plain ASCII, specials escaped
    for unit in range(H):
        h = f"{_rounded(exact[1, 'h', unit], 6)}"
        label = rf"h\\_1, unit {unit + 1}" if view == "latex" else f"h_1, unit {unit + 1}"
        assert re.search(rf"(?:^|\s){label}: [^\n]* = {re.escape(h)}(\\par)?$", text, re.M), (
            unit,
            h,
        )


def test_the_issue_s_numbers() -> None:
    """The textbook's W_xh x_2 + b_xh at -p 8 is -0.8888316 (not -0.8888315999999999); in
    float32, -0.47019291 in the csv as in the table (the value is -0.4701929092...)."""
    csv_text = runner.invoke(app, ["forward", SAMPLE, "--explain", "-p", "8", "-f", "csv"])
    rows = list(csv.DictReader(io.StringIO(csv_text.stdout)))
    assert rows[1]["W_xh_x_b_xh1"] == "-0.8888316"
    float32 = ["forward", SAMPLE, "--explain", "--dtype", "float32", "-p", "8"]
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, [*float32, "-f", "csv"]).stdout)))
    assert rows[0]["W_xh_x_b_xh1"] == "-0.47019291"
    table = runner.invoke(app, [*float32, "-f", "table"]).stdout
    assert re.search(r"│ = W_xh x_t \+ b_xh\s*│\s*-0\.47019291 │", table)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", list(GATES))
def test_the_table_s_step_by_hand_adds_up_to_its_rows(folder: Path, kind: str, dtype: str) -> None:
    """Each written-out product sum (step 2, where W_hh h_1 is not 0) ends in the row's
    own value, rounded once: the table's W_xh x_t and W_hh h_{t-1} rows."""
    exact = _exact(folder, kind, dtype)
    args = ["forward", str(folder / f"{kind}.csv"), "-c", str(folder / f"{kind}.yaml")]
    args += ["--explain", "--dtype", dtype, "-p", "8", "--hand-step", "2", "-f", "table"]
    text = runner.invoke(app, args).stdout
    pattern = r"^  (W_xh|W_hh)(?:\^(\w))? (?:x_2|h_1), unit (\d+): .* = (\S+)$"
    sums = re.findall(pattern, text, re.M)
    assert len(sums) == 2 * H * max(1, len(GATES[kind]))
    for name, gate, unit, value in sums:
        key = ("W_xh_x" if name == "W_xh" else "W_hh_h_prev") + (f"_{gate}" if gate else "")
        assert Decimal(value) == _rounded(exact[2, key, int(unit) - 1], 8), (name, gate, unit)
