"""Tables on screens of every width: a wide network's units go in blocks, and no number
is ever cut, in the forward table and in the explain view; flat sparklines."""

from __future__ import annotations

import re

import numpy as np
import pytest
from rich.console import Console

from rnncli.core.explain import terms
from rnncli.core.forward import forward
from rnncli.core.network import Network, single_layer
from rnncli.models.config.read import default_network
from rnncli.views.explain_table import explain_view
from rnncli.views.explained_terms import HIDDEN_ROWS, term_arrays
from rnncli.views.sparklines import sparkline
from rnncli.views.table import forward_table, forward_view
from tests.conftest import TEXTBOOK_TABLE, textbook


def rendered(view: object, width: int) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(view)
    return console.export_text()


def network(H: int, I: int = 3, O: int | None = 2, seed: int = 0) -> Network:
    rng = np.random.default_rng(seed)
    return single_layer(
        W_xh=rng.normal(size=(H, I)),
        W_hh=rng.normal(size=(H, H)) * 0.5 / np.sqrt(H),
        b_xh=rng.normal(size=H) * 0.1,
        b_hh=rng.normal(size=H) * 0.1,
        W_ho=None if O is None else rng.normal(size=(O, H)),
        b_o=None if O is None else np.zeros(O),
    )


def numbers(text: str) -> list[str]:
    """Every number in `text` as written, in order (one per token between spaces)."""
    found = []
    for token in text.replace("│", " ").replace("┃", " ").split():
        token = token.rstrip("*")
        try:
            float(token)
        except ValueError:
            continue
        found.append(token)
    return found


def assert_fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    # The sparklines' ranges are the only "…": between two whole numbers.
    for line in lines:
        if "…" in line:
            low, high = line.split("…")
            float(low.split()[-1]), float(high.split()[0])


@pytest.mark.parametrize("H", [1, 2, 10, 32])
@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_forward_table_fits_any_width_and_keeps_every_number(H: int, width: int) -> None:
    net = network(H)
    X = np.random.default_rng(1).normal(size=(4, 3)) * 3
    result = forward(net, X)
    text = rendered(forward_view(result, net), width)
    assert_fits(text, width)
    table = rendered(forward_table(result, net), width)
    assert "…" not in table
    written = numbers(table)
    # Every value of the run, whole at 4 decimals, in the table.
    for values in (result.X, result.H, result.O):
        for value in values.ravel().tolist():
            assert f"{value:.4f}".replace("-0.0000", "0.0000") in written
    # Each block is headed with its units: every unit number of h_t once per step row set.
    if H > 2:
        assert "h_t" in table and f" {H}" in table


@pytest.mark.parametrize("H", [1, 2, 10, 32])
@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_explain_view_fits_any_width_and_keeps_every_number(H: int, width: int) -> None:
    net = network(H, O=3)
    result = forward(net, np.random.default_rng(2).normal(size=(2, 3)))
    explained = terms(net, result)
    text = rendered(explain_view(result, net, explained), width)
    assert_fits(text, width)
    assert "…" not in text
    written = numbers(text)
    arrays = term_arrays(explained)
    for k in range(len(result.X)):
        for _, key in HIDDEN_ROWS:
            for value in arrays[key][k].tolist():
                assert f"{value:.4f}".replace("-0.0000", "0.0000") in written
        for value in result.H[k].tolist():
            assert f"{value:.4f}".replace("-0.0000", "0.0000") in written
    for unit in range(1, H + 1):
        assert f"unit {unit} " in text or f"unit {unit}\n" in text or f"unit {unit}┃" in text


def test_blocks_are_headed_with_their_unit_numbers() -> None:
    net = network(10, O=None)
    result = forward(net, np.ones((2, 3)))
    lines = rendered(forward_table(result, net), 80).splitlines()
    headers = [k for k, line in enumerate(lines) if line.startswith("┃ t ┃")]
    assert len(headers) >= 2  # more than one block
    units = [int(n) for k in headers for n in lines[k].split("┃")[-2].split()]
    assert units == list(range(1, 11))
    for k in headers:
        # every value of the block's rows ends where its unit's number ends
        ends = [m.end() for m in re.finditer(r"\d+", lines[k])]
        for row in (lines[k + 2], lines[k + 3]):  # the block's two steps
            values = [m.end() for m in re.finditer(r"-?\d+\.\d+", row)]
            assert values[-len(ends) + 1 :] == ends[1:] if k == headers[0] else values == ends


def test_the_textbook_table_is_unchanged_at_120_columns() -> None:
    net = default_network()
    text = rendered(forward_table(forward(net, np.array(textbook.X)), net), 120)
    assert "\n".join(line.rstrip() for line in text.splitlines()) == TEXTBOOK_TABLE


def test_a_unit_varying_below_the_precision_is_drawn_flat_and_says_so() -> None:
    # h1 moves by 1e-5 around -1.0000; h2 by 0.5: only h1 is flat at 4 decimals.
    net = single_layer(
        W_xh=np.array([[1.0], [1.0]]),
        W_hh=np.zeros((2, 2)),
        b_xh=np.array([0.0, 0.0]),
        b_hh=np.zeros(2),
        activation="identity",
    )
    X = np.array([[-1.0], [-1.00001], [-0.99999]])
    result = forward(net, X)
    result.H[:, 1] = [0.0, 0.5, 0.25]
    lines = rendered(forward_view(result, net), 80).splitlines()
    assert lines[-2].startswith("h1  ▄▄▄  -1 … -1 (flat: varies by less than 1e-4)")
    assert lines[-1].startswith("h2  ▁█▅  0 … 0.5")
    at_six = rendered(forward_view(result, net, precision=6), 80).splitlines()
    assert at_six[-2].startswith("h1  ▅▁█  -1 … -1")  # 1e-5 is visible at 6 decimals
    assert "flat" not in at_six[-2]
    assert sparkline(np.array([1.0, 1.00001]), flat_below=1e-4) == "▄▄"
    assert sparkline(np.array([1.0, 1.00001])) == "▁█"
