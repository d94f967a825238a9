"""rnncli.views.table: the table, rendered into a recording console and read as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from rnncli.core.forward import forward
from rnncli.core.network import Network, single_layer
from rnncli.models.config.read import default_network
from rnncli.models.read import load_config
from rnncli.option_values import Mode
from rnncli.views.sparklines import sparkline
from rnncli.views.table import forward_table, forward_view
from tests.conftest import ROOT, TEXTBOOK_TABLE, textbook


def rendered(table: object, width: int = 80) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def test_textbook_table_fits_80_columns() -> None:
    net = default_network()
    text = rendered(forward_table(forward(net, np.array(textbook.X)), net))
    assert text == TEXTBOOK_TABLE
    assert max(len(line) for line in text.splitlines()) <= 80


def test_precision_sets_the_decimals() -> None:
    net = default_network()
    text = rendered(forward_table(forward(net, np.array(textbook.X)), net, precision=2))
    assert "│ 3 │ 3.00  3.00  3.00  3.00  3.00 │ -0.86  0.90 │" in text


def test_many_to_one_shows_the_output_at_the_last_step_only() -> None:
    net = load_config(str(ROOT / "configs" / "weather.yaml"))
    X = np.array([[22.1, 45.0], [22.5, 46.2]])
    result = forward(net, X, mode=Mode.MANY_TO_ONE)
    lines = rendered(forward_table(result, net)).splitlines()
    assert lines[0] == "weather · 2 → 3 → 1 · many-to-one"
    assert "o_t" in lines[2]
    step1, step2 = lines[4], lines[5]
    o_T = f"{result.O[0, 0]:.4f}"
    assert step1.endswith("│        │")
    assert step2.endswith(f"│ {o_T} │")


def test_a_name_is_shown_as_written_never_as_markup() -> None:
    net = default_network()
    renamed = type(net)(**{**net.__dict__, "name": "net [/] [bold red]x[/]"})
    text = rendered(forward_table(forward(renamed, np.array(textbook.X)), renamed))
    assert text.splitlines()[0] == "net [/] [bold red]x[/] · 5 → 2 · many-to-many"


def test_huge_values_are_shown_in_e_notation() -> None:
    net = default_network()
    X = np.array([[1e300, 1, 1, 1, 1], [1e-300, 2, 2, 2, 2]])
    text = rendered(forward_table(forward(net, X), net, precision=3))
    assert "1.000e+300" in text
    assert "…" not in text


def saturating_network() -> Network:
    return single_layer(
        W_xh=np.array([[4.0], [-0.5]]),
        W_hh=np.array([[0.0, 0.0], [0.0, 0.0]]),
        b_xh=np.zeros(2),
        b_hh=np.zeros(2),
        h0=np.zeros(2),
        name="sat",
    )


def test_saturated_units_are_marked_with_and_without_colour() -> None:
    net = saturating_network()
    # h_t = tanh([4 x_t, -0.5 x_t]): x = 1 gives tanh(4) = 0.9993 (saturated), -0.4621.
    result = forward(net, np.array([[1.0], [0.1]]))
    expected = """\
sat · 1 → 2 · many-to-many
┏━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ t ┃    x_t ┃               h_t ┃
┡━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ 1 │ 1.0000 │  0.9993*  -0.4621 │
│ 2 │ 0.1000 │  0.3799   -0.0500 │
└───┴────────┴───────────────────┘
no output layer: o_t = h_t
* saturated (|h| > 0.99):
gradients through it vanish"""
    assert rendered(forward_table(result, net)) == expected
    coloured = Console(record=True, width=80, color_system="truecolor", force_terminal=True)
    coloured.print(forward_table(result, net))
    ansi = coloured.export_text(styles=True, clear=False)
    assert "\x1b[" in ansi
    assert "\n".join(line.rstrip() for line in coloured.export_text().splitlines()) == expected


def test_heat_colours_follow_sign_and_size() -> None:
    from rnncli.views.column_groups import _heat

    assert _heat(0.9, 1.0) == "red3" and _heat(0.1, 1.0) == "light_salmon3"
    assert _heat(-0.9, 1.0) == "blue1" and _heat(-0.1, 1.0) == "steel_blue"
    assert _heat(0.0, 1.0) == ""


def test_sparklines_under_the_table() -> None:
    net = default_network()
    text = rendered(forward_view(forward(net, np.array(textbook.X)), net))
    # h1 falls -0.35 -> -0.68 -> -0.86 and h2 rises 0.53 -> 0.76 -> 0.90:
    assert text.splitlines()[-2:] == ["h1  █▃▁  -0.865 … -0.352", "h2  ▁▅█  0.525 … 0.905"]


def test_sparkline_blocks() -> None:
    assert sparkline(np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])) == "▁▂▃▄▅▆▇█"
    assert sparkline(np.array([2.0, 2.0])) == "▄▄"
    assert sparkline(np.array([0.0, np.nan, 1.0])) == "▁ █"
    assert len(sparkline(np.arange(1_000_000.0), width=48)) == 48


def long_run(T: int) -> tuple[Network, object]:
    net = default_network()
    X = np.random.default_rng(0).normal(size=(T, 5))
    return net, forward(net, X)


def test_a_long_table_shows_the_first_and_last_rows() -> None:
    net, result = long_run(1000)
    lines = rendered(forward_table(result, net, elide=True)).splitlines()
    numbered = [line.split("│")[1].strip() for line in lines if line.startswith("│")]
    assert numbered == [str(t) for t in range(1, 11)] + ["⋮"] + [str(t) for t in range(991, 1001)]
    assert "980 steps hidden, t = 11 to 990; --all shows every row" in lines
    everything = rendered(forward_table(result, net, elide=False)).splitlines()
    assert sum(line.startswith("│") for line in everything) == 1000


def test_rendering_work_does_not_grow_with_the_length(monkeypatch: pytest.MonkeyPatch) -> None:
    import rnncli.views.table

    calls = []
    original = rnncli.views.table.fixed

    def counting(value: float, precision: int) -> str:
        calls.append(value)
        return original(value, precision)

    monkeypatch.setattr(rnncli.views.table, "fixed", counting)
    counts = []
    for T in (100, 100_000):
        net, result = long_run(T)
        calls.clear()
        rendered(forward_view(result, net, elide=True))
        counts.append(len(calls))
    assert counts[0] == counts[1] == 20 * (5 + 2)  # 20 rows of x_t and h_t


def test_all_shows_every_row_on_a_terminal(
    on_a_terminal: Callable[..., str], tmp_path: Path
) -> None:
    path = ROOT / "tests" / "bad_inputs" / "sample.csv"
    screen = on_a_terminal("forward", str(path))
    assert "hidden" not in screen
    long_csv = tmp_path / "long.csv"
    long_csv.write_text("\n".join(",".join(["1"] * 5) for _ in range(40)))
    elided = on_a_terminal("forward", str(long_csv))
    assert "20 steps hidden, t = 11 to 30; --all shows every row" in elided
    full = re.sub(r"\x1b\[[0-9;]*m", "", on_a_terminal("forward", str(long_csv), "--all"))
    assert "hidden" not in full and "│ 40 │" in full
