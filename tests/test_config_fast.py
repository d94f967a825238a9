"""A config is read through the fast tree (yaml_fast: libyaml's events, a row of numbers
in one array): the same network, bit for bit, as the tree with every node's place
(yaml_nodes.compose), and every mistake still named at its line and column."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from rnncli.cli import app
from rnncli.core.network import Network
from rnncli.errors import RnnCliError
from rnncli.models.config import read as config
from rnncli.models.config.read import parse_config
from rnncli.models.config.yaml_fast import NumberRow, composed
from tests.conftest import ROOT

runner = CliRunner()


def made(*options: str) -> str:
    result = runner.invoke(app, ["init-weights", *options])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def exact(text: str, monkeypatch: pytest.MonkeyPatch) -> Network:
    """The network read from the tree with places only."""
    with monkeypatch.context() as patch:
        patch.setattr(config, "composed", lambda text: None)
        return parse_config(text, "net.yaml")


def same(a: Any, b: Any, where: str = "net") -> None:
    """Equal, arrays bit for bit with their dtype, all the way down."""
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), where
    elif dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{k}]")
    else:
        assert a == b, where


HAND_WRITTEN = [
    # anchors and aliases, a one-bias block, an h0, scale, a bidirectional pair
    """
activation: tanh
direction: bidirectional
scale: {mean: [0.5, -1e-3], std: [2, 0.25]}
weights:
  W_xh: &x [[1, 2], [3, 4]]
  W_hh: [[.5, 0.], [-0.25, +1.5e+2]]
  b_h: [0.1, -0.2]
weights_reverse:
  W_xh: *x
  W_hh: [[1, 0], [0, 1]]
h0: [[1, 2], [3, 4]]
""",
    # layers, block style rows, integers and a leading zero
    """
activation: relu
layers:
  - W_xh:
      - [1, 2]
      - [3, 4]
    W_hh:
      - - 1
        - 012
      - - 0
        - 1
  - W_xh: [[1, 0], [0, 1]]
    W_hh: [[0, 0], [0, 0]]
output: {W_ho: [[1, 1]], b_o: [3]}
""",
]


@pytest.mark.parametrize(
    "text",
    [
        *HAND_WRITTEN,
        *(path.read_text(encoding="utf-8") for path in sorted((ROOT / "configs").glob("*.yaml"))),
        made("-i", "3", "-H", "5", "-O", "2", "--seed", "1"),
        made("-i", "3", "-H", "4", "--cell", "lstm", "--init", "keras", "--seed", "2"),
        made("-i", "2", "-H", "3", "--cell", "gru", "--bias", "one", "--seed", "3"),
    ],
)
def test_the_fast_tree_reads_the_same_network(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = composed(text)
    assert tree is not None and tree[0] is not None  # the fast tree was read
    same(parse_config(text, "net.yaml"), exact(text, monkeypatch))


@pytest.fixture(scope="module")
def big() -> str:
    """A 200-unit network: 3 inputs, 200 x 200 W_hh, two outputs."""
    return made("-i", "3", "-H", "200", "-O", "2", "--seed", "4")


def test_a_big_config_holds_the_numbers_written(big: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Against PyYAML's own loader on the same text; W_hh's rows are NumberRows."""
    tree = composed(big)
    assert tree is not None and isinstance(tree[0], yaml.MappingNode)
    weights = dict((k.value, v) for k, v in tree[0].value)["weights"]
    W_hh = dict((k.value, v) for k, v in weights.value)["W_hh"]
    assert len(W_hh.value) == 200 and all(isinstance(row, NumberRow) for row in W_hh.value)
    written = yaml.load(big, Loader=yaml.CSafeLoader)["weights"]
    net = parse_config(big, "net.yaml")
    cell = net.layers[0][0]
    for name in ("W_xh", "W_hh", "b_xh", "b_hh"):
        assert np.array_equal(getattr(cell, name), np.array(written[name], dtype=np.float64))
    assert net.W_ho is not None and np.array_equal(net.W_ho, np.array(written["W_ho"]))
    same(net, exact(big, monkeypatch))


def place(text: str, line: int, row: int, item: int) -> tuple[int, int]:
    """The line and column (from 1) of item `item` of the flow row on line `line`."""
    lines = text.splitlines()
    start = lines[line].index("[") + 1
    cells = lines[line][start:].split(",")
    column = start + sum(len(c) + 1 for c in cells[:item])
    column += len(cells[item]) - len(cells[item].lstrip())
    return line + 1, column + 1


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("abc", ["expected a decimal number, got 'abc'"]),
        ("1e999", ["'1e999' is not a finite number"]),
        ('"0.5"', ["expected a number, got the quoted text '0.5'"]),
        ("true", ["expected a number, got the boolean true"]),
        ("0x10", ["expected a decimal number, got '0x10'"]),
    ],
)
def test_a_bad_number_deep_in_a_big_config_is_placed(big: str, bad: str, words: list[str]) -> None:
    lines = big.splitlines()
    W_hh = lines.index("  W_hh:")
    line = W_hh + 1 + 150  # row 150 of W_hh
    cells = lines[line].split(", ")
    cells[37] = bad
    lines[line] = ", ".join(cells)
    text = "\n".join(lines) + "\n"
    with pytest.raises(RnnCliError) as caught:
        parse_config(text, "net.yaml")
    row, column = place(text, line, 150, 37)
    message = str(caught.value)
    assert message.startswith(f"net.yaml:{row}:{column}: weights.W_hh[150][37]: "), message
    for word in words:
        assert word in message, message


def test_a_short_row_and_a_misspelt_key_in_a_big_config(big: str) -> None:
    lines = big.splitlines()
    line = lines.index("  W_hh:") + 1 + 99
    lines[line] = lines[line].rsplit(", ", 1)[0] + "]"
    with pytest.raises(RnnCliError) as caught:
        parse_config("\n".join(lines) + "\n", "net.yaml")
    assert str(caught.value) == (
        f"net.yaml:{line + 1}:7: weights.W_hh[99]: has 199 values, row 0 has 200"
    )
    text = big.replace("  W_ho:", "  W_oh:")
    with pytest.raises(RnnCliError) as caught:
        parse_config(text, "net.yaml")
    row = text.splitlines().index("  W_oh:") + 1
    assert str(caught.value).startswith(f"net.yaml:{row}:3: weights.W_oh: unknown key")


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1]\nb: &x [2]\n",  # an anchor twice
        "a: *nowhere\n",
        "a: 1\n---\nb: 2\n",  # two documents
        "a: [1, 2\n",  # not YAML
        "a: [1, \x07]\n",  # a character the Python reader refuses
        "a: [1,\t2]\n",  # a tab libyaml takes and PyYAML's scanner refuses
    ],
)
def test_the_fast_tree_stands_aside_where_safe_loader_would_refuse(text: str) -> None:
    assert composed(text) is None
    with pytest.raises(RnnCliError) as caught:
        parse_config(text, "net.yaml")
    assert str(caught.value).startswith("net.yaml:")


def test_an_alias_bomb_of_rows_is_counted_without_expanding() -> None:
    levels = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for k in range(1, 8):
        levels.append(
            f"{chr(97 + k)}: &{chr(97 + k)} [" + ", ".join([f"*{chr(96 + k)}"] * 10) + "]"
        )
    tree = composed("\n".join(levels) + "\n")
    assert tree is not None
    with pytest.raises(RnnCliError) as caught:
        parse_config("\n".join(levels) + "\n", "bomb.yaml")
    assert "YAML aliases" in str(caught.value) and "bomb.yaml:" in str(caught.value)


def test_a_big_config_through_the_command_line(big: str, tmp_path: Path) -> None:
    net = tmp_path / "big.yaml"
    net.write_text(big)
    data = tmp_path / "x.csv"
    data.write_text("1,2,3\n-1,0.5,2\n")
    result = runner.invoke(app, ["forward", str(data), "-c", str(net), "-f", "csv"])
    assert result.exit_code == 0, result.stderr
    cell = parse_config(big, "net.yaml").layers[0][0]
    h1 = np.tanh(cell.W_xh @ [1.0, 2.0, 3.0] + cell.b_xh + cell.b_hh)
    first = [float(v) for v in result.stdout.splitlines()[1].split(",")]
    assert np.allclose(first[4:204], h1, rtol=0, atol=1e-15)


def outcome(read: Any) -> tuple[str, Any]:
    try:
        return "network", read()
    except RnnCliError as error:
        return "error", str(error)


def test_random_mutations_read_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    """Characters changed, added and taken out of configs: the same network or the same
    message (file, line, column) through the fast tree as through the tree with places."""
    rng = random.Random(22)
    bases = [*HAND_WRITTEN, (ROOT / "configs" / "lesson-lstm.yaml").read_text(encoding="utf-8")]
    alphabet = [*"0123456789.,-+eE []{}:#&*!|>'\"\n ~aby\\?", "\t", "!!str ", "&a ", "*a", "---\n"]
    read = 0
    for _ in range(400):
        text = list(rng.choice(bases))
        for _ in range(rng.randint(1, 3)):
            i, choice = rng.randrange(len(text)), rng.random()
            if choice < 0.4:
                text[i] = rng.choice(alphabet)
            elif choice < 0.7:
                text.insert(i, rng.choice(alphabet))
            else:
                del text[i]
        mutated = "".join(text)
        fast = outcome(lambda mutated=mutated: parse_config(mutated, "net.yaml"))
        placed = outcome(lambda mutated=mutated: exact(mutated, monkeypatch))
        assert fast[0] == placed[0], mutated
        if fast[0] == "network":
            same(fast[1], placed[1])
            read += 1
        else:
            assert fast[1] == placed[1], mutated
    assert read > 30  # networks read (42 with this seed), not only errors
