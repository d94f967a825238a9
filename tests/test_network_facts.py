"""rnncli.views.network_facts and `rnncli inspect`: the textbook network's facts, worked by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.models.config.read import default_network, parse_config
from rnncli.views.facts_table import network_table
from rnncli.views.network_facts import (
    describe,
    parameter_count,
    spectral_radius,
    spectral_radius_note,
)
from tests.conftest import ROOT, textbook

runner = CliRunner()


def textbook_radius_by_hand() -> float:
    """The eigenvalues of a 2x2 matrix [[a, b], [c, d]]: (tr ± sqrt(tr² - 4 det)) / 2."""
    (a, b), (c, d) = textbook.W_hh
    trace, det = a + d, a * d - b * c
    root = math.sqrt(trace**2 - 4 * det)  # real: tr² - 4 det = 0.2585 > 0
    return max(abs((trace + root) / 2), abs((trace - root) / 2))


def test_textbook_parameter_count() -> None:
    # nn.RNN(5, 2): W_xh 2x5 (10) + W_hh 2x2 (4) + b_xh (2) + b_hh (2) = 18
    assert parameter_count(default_network()) == 18


def test_textbook_spectral_radius() -> None:
    radius = spectral_radius(default_network())
    assert radius == pytest.approx(textbook_radius_by_hand(), abs=1e-15)
    assert radius == pytest.approx(0.29394, abs=1e-5)


def test_parameter_count_with_one_bias_and_an_output_layer() -> None:
    net = parse_config((ROOT / "configs" / "weather.yaml").read_text(), "weather.yaml")
    # W_xh 3x2 (6) + W_hh 3x3 (9) + b_h (3) + W_ho 1x3 (3) + b_o (1) = 22
    assert parameter_count(net) == 22


def test_the_bias_form_is_the_cells_or_mixed() -> None:
    block = "{W_xh: [[1]], W_hh: [[0.5]]%s}"
    same = parse_config(f"layers: [{block % ''}, {block % ''}]\n", "same.yaml")
    assert (same.bias, describe(same)["bias"]) == ("none", "none")
    mixed = parse_config(f"layers: [{block % ', b_h: [1]'}, {block % ''}]\n", "mixed.yaml")
    assert (mixed.bias, describe(mixed)["bias"]) == ("mixed", "mixed")


def test_spectral_radius_notes() -> None:
    assert "explode" in spectral_radius_note(1.5, "tanh")
    assert "forgets fast" in spectral_radius_note(0.2, "tanh")
    assert "gradually" in spectral_radius_note(0.8, "sigmoid")
    assert "overflow" in spectral_radius_note(1.2, "relu")
    assert "decays" in spectral_radius_note(0.5, "identity")


def test_inspect_json() -> None:
    result = runner.invoke(app, ["inspect", "-f", "json"])
    assert result.exit_code == 0
    facts = json.loads(result.stdout)
    assert facts["parameters"] == 18
    assert facts["spectral_radius"] == pytest.approx(textbook_radius_by_hand(), abs=1e-15)
    assert facts["bias"] == "two"
    assert (facts["input_size"], facts["hidden_size"], facts["output_size"]) == (5, 2, 2)
    assert facts["h0"] == [0.0, 0.0]
    assert facts == describe(default_network())


def test_inspect_table() -> None:
    console = Console(record=True, width=100, color_system=None)
    console.print(network_table(describe(default_network())))
    text = console.export_text()
    assert "│ parameters      │ 18" in text
    assert "│ spectral radius │ 0.293943  of W_hh" in text
    assert "│ biases          │ two: b_xh and b_hh" in text
    result = runner.invoke(app, ["inspect", str(ROOT / "configs" / "weather.yaml")])
    assert result.exit_code == 0 and "2 → 3 → 1" in result.stdout


def test_inspect_names_a_bad_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("weights:\n  W_xh: [[1]]\n")
    result = runner.invoke(app, ["inspect", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr and "W_hh" in result.stderr
    np.testing.assert_equal(result.stdout, "")
