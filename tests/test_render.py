"""rnncli.render: the table, rendered into a recording console and read as text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console

from rnncli.choices import Mode
from rnncli.config import default_network, load_config
from rnncli.render import forward_table
from rnncli.rnn import forward
from tests import textbook

ROOT = Path(__file__).resolve().parent.parent


def rendered(table: object, width: int = 80) -> str:
    console = Console(record=True, width=width, color_system=None)
    console.print(table)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


# The textbook's h_t rows (-0.3519801, 0.52525216, ...) at 4 decimals.
TEXTBOOK_TABLE = """\
textbook · 5 → 2 · many-to-many
┏━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ t ┃                                    x_t ┃             h_t ┃
┡━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ 1 │ 1.0000  1.0000  1.0000  1.0000  1.0000 │ -0.3520  0.5253 │
│ 2 │ 2.0000  2.0000  2.0000  2.0000  2.0000 │ -0.6842  0.7607 │
│ 3 │ 3.0000  3.0000  3.0000  3.0000  3.0000 │ -0.8649  0.9047 │
└───┴────────────────────────────────────────┴─────────────────┘
no output layer: o_t = h_t"""


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
