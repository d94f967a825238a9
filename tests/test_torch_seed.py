"""`rnncli init-weights --init torch --seed N` draws what PyTorch draws after
torch.manual_seed(N): nn.RNN(I, H), then nn.Linear(H, O) with -O; checked against torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from rnncli.core.torch_random import TorchGenerator
from rnncli.models.config.read import parse_config
from tests.conftest import ROOT, reference_module


def init_weights(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "rnncli", "init-weights", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    return result.stdout


def weights(text: str) -> list[np.ndarray]:
    """The file's arrays in torch's parameters() order."""
    net = parse_config(text, "net.yaml")
    (cell,) = net.cells
    arrays = [cell.W_xh, cell.W_hh, cell.b_xh, cell.b_hh]
    return arrays + [a for a in (net.W_ho, net.b_o) if a is not None]


def test_seed_1_gives_the_textbook_weights_exactly() -> None:
    """configs/textbook.yaml holds nn.RNN(5, 2)'s weights after torch.manual_seed(1)."""
    drawn = weights(init_weights("-i", "5", "-H", "2", "--seed", "1"))
    textbook = weights((ROOT / "configs" / "textbook.yaml").read_text())
    for mine, printed in zip(drawn, textbook, strict=True):
        assert np.array_equal(mine, printed)
    text = init_weights("-i", "5", "-H", "2", "--seed", "1")
    assert "# seed: 1; init: torch; the numbers of torch.manual_seed(1); nn.RNN(5, 2)" in text


@pytest.mark.parametrize(
    ("seed", "I", "H", "O", "bias"),
    [
        (1, 5, 2, None, "two"),
        (7, 8, 64, 4, "two"),
        (3, 3, 200, 5, "two"),
        (0, 1, 1, 1, "two"),
        (2**40 + 5, 3, 4, 2, "two"),  # torch keeps the seed's low 32 bits
        (11, 4, 3, 2, "none"),
    ],
)
def test_the_file_holds_what_torch_draws(
    seed: int, I: int, H: int, O: int | None, bias: str
) -> None:
    torch = reference_module("torch")
    torch.manual_seed(seed)
    modules = [torch.nn.RNN(I, H, bias=bias == "two")]
    if O is not None:
        modules.append(torch.nn.Linear(H, O, bias=bias == "two"))
    expected = [p.detach().double().numpy() for m in modules for p in m.parameters()]
    args = ["-i", str(I), "-H", str(H), "--seed", str(seed), "--bias", bias]
    drawn = weights(init_weights(*args, *(["-O", str(O)] if O else [])))
    if bias == "none":  # the file's zero biases are parameters torch does not have
        drawn = [drawn[0], drawn[1], *([drawn[4]] if O else [])]
    assert len(drawn) == len(expected)
    for mine, theirs in zip(drawn, expected, strict=True):
        assert np.array_equal(mine, theirs)


def test_an_lstm_draws_4h_rows_from_the_same_generator() -> None:
    """nn.LSTM(I, H): the same generator gives its weights with 4H rows per matrix."""
    torch = reference_module("torch")
    torch.manual_seed(5)
    expected = [p.detach().double().numpy() for p in torch.nn.LSTM(3, 4).parameters()]
    generator = TorchGenerator(5)
    shapes = [(16, 3), (16, 4), (16,), (16,)]
    for shape, theirs in zip(shapes, expected, strict=True):
        assert np.array_equal(generator.recurrent(4, *shape), theirs)


def test_help_and_header_say_other_seeds_are_rnnclis_own() -> None:
    text = init_weights("-i", "2", "-H", "3", "--seed", "4", "--init", "keras")
    assert text.splitlines()[2] == (
        "# seed: 4; init: keras; the seed is rnncli's own, not a framework's"
    )
    help_text = subprocess.run(
        [sys.executable, "-m", "rnncli", "init-weights", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    joined = " ".join(help_text.split())
    assert "torch.manual_seed(N)'s numbers; for the other schemes rnncli's own" in joined
