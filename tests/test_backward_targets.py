"""rnncli backward's targets: steps without a loss as `nan` rows (CSV, TSV) and `null`
rows (JSON, JSON Lines), every form reading as the same targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rnncli.core.bptt import bptt
from rnncli.core.loss import Targets
from rnncli.errors import RnnCliError
from rnncli.io.targets import read_targets
from rnncli.models.config.read import default_network
from rnncli.option_values import LossName, Mode

TEXTBOOK_X = np.array([[1.0] * 5, [2.0] * 5, [3.0] * 5])
#: The one target every form below writes: no loss at t = 2.
Y = np.array([[1.0, 1.0], [np.nan, np.nan], [0.0, 0.0]])


def _read(path: Path, loss: LossName = LossName.MSE) -> tuple[Targets, Mode]:
    Y, S, mode = read_targets(str(path), 3, 2, loss, None)
    return Targets(Y, S), mode


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("y.csv", "y1,y2\n1,1\nnan,nan\n0,0\n"),
        ("y.json", "[[1, 1], [null, null], [0, 0]]"),
        ("y.json", "[[1, 1],\n null,\n [0, 0]]\n"),
        ("y.json", '{"sequence": [[1, 1], [null, null], [0, 0]]}'),
        ("y.jsonl", "[1, 1]\n[null, null]\n[0, 0]\n"),
        ("y.jsonl", '{"x": [1, 1]}\nnull\n{"x": [0, 0]}\n'),
        ("y.jsonl", '[1, 1]\n{"x": null}\n[0, 0]\n'),
    ],
)
def test_a_nan_or_null_row_carries_no_loss(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    targets, mode = _read(path)
    assert mode is Mode.MANY_TO_MANY
    np.testing.assert_array_equal(targets.Y, Y)
    assert targets.S.tolist() == [True, False, True]
    result = bptt(default_network(), TEXTBOOK_X, targets, LossName.MSE)
    assert np.isnan(result.losses[1]) and result.dO[1].tolist() == [0.0, 0.0]
    # The loss of steps 1 and 3 alone, by hand from o_t = h_t: (h_1 - 1)^2 + (h_3 - 0)^2.
    H = result.H
    assert result.loss == pytest.approx(float(np.sum((H[0] - 1) ** 2) + np.sum(H[2] ** 2)))


def test_null_rows_in_json_for_cross_entropy(tmp_path: Path) -> None:
    path = tmp_path / "y.json"
    path.write_text("[null, null, 1]")  # a flat list: one class index per step
    targets, mode = _read(path, LossName.CROSS_ENTROPY)
    assert targets.S.tolist() == [False, False, True]
    assert targets.Y[2, 0] == 1.0 and mode is Mode.MANY_TO_MANY


def test_every_row_null_is_refused(tmp_path: Path) -> None:
    for name, text in (("y.json", "[null, [null, null], null]"), ("y.jsonl", "null\nnull\nnull\n")):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(RnnCliError, match="every row is null, so no step carries a loss"):
            _read(path)


def test_a_row_with_one_null_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "y.json"
    path.write_text("[[1, 1], [null, 2], [0, 0]]")
    with pytest.raises(RnnCliError) as refused:
        _read(path)
    assert str(refused.value) == f"{path}:1:11: step 2, feature 1: expected a number, got null"


def test_an_error_after_a_null_row_keeps_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "y.json"
    path.write_text('[[1, 1],\n null,\n [0, "x"]]')  # line 3, column 6: the "x"
    with pytest.raises(RnnCliError) as refused:
        _read(path)
    expected = f"{path}:3:6: step 3, feature 2: expected a number, got the text 'x'"
    assert str(refused.value) == expected
