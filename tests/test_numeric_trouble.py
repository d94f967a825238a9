"""No numpy warning ever reaches stderr: hostile but legal numbers (±1e308 inputs, huge
weights, float32 overflow) through every command run under `python -W error`, which
would turn any RuntimeWarning into a traceback. What overflowed is said in rnncli's own
line, naming the value, the step and the unit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnncli.numeric_trouble import first_non_finite, gradient_line, overflow_line
from tests.conftest import ROOT, WEATHER_CONFIG, requires

#: Inputs as large as float64 holds, of both signs.
HUGE_ROWS = "temperature,humidity\n1e308,1e308\n-1e308,-1e308\n1e308,1e308\n"
#: An identity network whose first step is 1e308 · 1e308: h_1 is inf in unit 1.
HUGE_IDENTITY = """activation: identity
weights:
  W_xh: [[1.0e308, 1.0e308], [1.0e308, -1.0e308]]
  W_hh: [[1.0e308, 1.0], [1.0, 1.0e308]]
  W_ho: [[1.0e308, 1.0e308]]
"""


#: rnncli's overflow line: the value, the step and the unit.
OVERFLOW = re.compile(
    r"rnncli: warning: (h|c|o|L|dL/dh|dL/dz)_t overflowed to inf or nan at t = \d+ \(unit \d+\); "
    "the weights or inputs are too large for this activation"
)


def line(name: str, t: int, unit: int, sequence: str | None = None) -> str:
    which = "" if sequence is None else f" in sequence {sequence}"
    return (
        f"rnncli: warning: {name}_t overflowed to inf or nan at t = {t} (unit {unit}){which}; "
        "the weights or inputs are too large for this activation"
    )


def quiet(*args: str | Path) -> list[str]:
    """rnncli under -W error: exit 0, and stderr nothing but rnncli's own lines."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "rnncli", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    for text in ("RuntimeWarning", "Traceback", ".py", "numpy"):
        assert text not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert all(one.startswith("rnncli: ") for one in lines), lines
    return lines


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "huge.csv": HUGE_ROWS,
        "targets.csv": "y\n1e308\n-1e308\n1e308\n",
        "identity.yaml": HUGE_IDENTITY,
    }
    for name, text in paths.items():
        (tmp_path / name).write_text(text)
    return {name: tmp_path / name for name in paths}


@pytest.mark.parametrize(
    "extra", [[], ["--explain"], ["--explain", "-f", "markdown"], ["-f", "latex"], ["-f", "html"]]
)
def test_forward_says_where_h_overflowed(files: dict[str, Path], extra: list[str]) -> None:
    args = ["forward", files["huge.csv"], "-c", files["identity.yaml"], *extra]
    assert quiet(*args, *([] if "-f" in extra else ["-f", "csv"])) == [line("h", 1, 1)]


@pytest.mark.parametrize(
    "extra",
    [
        ["-f", "json"],
        ["-f", "csv"],
        ["--explain", "-f", "json"],
        ["--check", "-f", "json"],
        ["--truncate", "1", "--clip-norm", "1", "-f", "csv"],
    ],
)
def test_backward_says_where_h_overflowed(files: dict[str, Path], extra: list[str]) -> None:
    """Before, `overflow encountered in matmul` with numpy's source path."""
    args = ["backward", files["huge.csv"], "-c", files["identity.yaml"]]
    assert quiet(*args, "--targets", files["targets.csv"], *extra) == [line("h", 1, 1)]
    assert quiet(*args, "-f", "json") == [line("h", 1, 1)]  # the gradient flow only


def test_backward_says_where_the_loss_overflowed(files: dict[str, Path]) -> None:
    """tanh and sigmoid keep h_t and o_t in range; (o_1 - 1e308)² is not a float64."""
    args = ["backward", files["huge.csv"], "-c", WEATHER_CONFIG, "--targets", files["targets.csv"]]
    assert quiet(*args, "-f", "json") == [line("L", 1, 1)]


def test_a_batch_in_threads_says_each_sequence_once(tmp_path: Path) -> None:
    rows = "".join(f"s{s},{(-1) ** t * 1e308!r},1e308\n" for s in range(300) for t in range(3))
    data = tmp_path / "batch.csv"
    data.write_text("id,temperature,humidity\n" + rows)
    net = tmp_path / "identity.yaml"
    net.write_text(HUGE_IDENTITY)
    lines = quiet("forward", data, "-c", net, "--group-by", "id", "-f", "csv")
    assert sorted(lines) == sorted(line("h", 1, 1, f"s{s}") for s in range(300))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
def test_huge_weights_in_every_cell(files: dict[str, Path], cell: str, activation: str) -> None:
    """Weights drawn with a standard deviation of 1e307, through every command."""
    net = files["huge.csv"].parent / f"{cell}-{activation}.yaml"
    made = ["init-weights", "-i", "2", "-H", "3", "-O", "1", "--cell", cell, "--seed", "1"]
    options = ["--init", "normal", "--std", "1e307", "-o", net]
    quiet(*made, *(["--activation", activation] if cell == "rnn" else []), *options)
    data, targets = files["huge.csv"], files["targets.csv"]
    for args in (
        ["forward", data, "-c", net, "--explain", "-f", "json"],
        ["backward", data, "-c", net, "--targets", targets, "--explain", "-f", "json"],
        ["backward", data, "-c", net, "-f", "json"],
        ["inspect", net],
    ):
        for one in quiet(*args):
            assert OVERFLOW.fullmatch(one), one
    float32 = quiet("forward", data, "-c", net, "--dtype", "float32", "-f", "csv")
    assert float32[0].startswith("rnncli: warning: the network (its weights or h0) has numbers")
    assert all(OVERFLOW.fullmatch(one) for one in float32[1:]), float32


@requires("matplotlib")
def test_plot_says_where_h_overflowed(files: dict[str, Path], tmp_path: Path) -> None:
    figure = tmp_path / "h.png"
    args = ["plot", files["huge.csv"], "-c", files["identity.yaml"], "-o", figure]
    assert quiet(*args) == [line("h", 1, 1)]
    assert figure.read_bytes().startswith(b"\x89PNG")


def test_the_first_value_that_is_not_finite() -> None:
    inf, nan = np.inf, np.nan
    H = np.array([[0.0, 1.0], [0.0, inf], [nan, 0.0]])
    O = np.array([[0.0], [0.0], [inf]])
    steps = range(1, 4)
    assert first_non_finite([("h", H, steps), ("o", O, steps)]) == ("h", 2, 2)
    # backwards: the latest step first, and at one step the first candidate
    assert first_non_finite([("h", H, steps), ("o", O, steps)], latest=True) == ("h", 3, 1)
    assert first_non_finite([("o", O, steps), ("h", H, steps)], latest=True) == ("o", 3, 1)
    assert first_non_finite([("L", np.array([[1.0], [inf]]), [2, 5])]) == ("L", 5, 1)
    assert first_non_finite([("h", np.zeros((0, 3)), [])]) is None
    assert overflow_line("dL/dh", 1234, 3, "a") == (
        "rnncli: warning: dL/dh_t overflowed to inf or nan at t = 1,234 (unit 3) in sequence a; "
        "the weights or inputs are too large for this activation"
    )


def test_a_gradient_that_is_not_finite() -> None:
    gradients = {"W_xh": np.array([[1.0, 2.0]]), "W_hh": np.array([[0.0, 0.0], [0.0, -np.inf]])}
    assert gradient_line(gradients) == (
        "rnncli: warning: dL/dW_hh overflowed to inf or nan at row 2, column 2; "
        "the weights or inputs are too large for this activation"
    )
    assert gradient_line({"b_h": np.array([0.0, np.nan])}) == (
        "rnncli: warning: dL/db_h overflowed to inf or nan at unit 2; "
        "the weights or inputs are too large for this activation"
    )
    assert gradient_line({"W_xh": np.ones((2, 2))}) is None
