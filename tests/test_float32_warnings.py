"""Under --dtype float32 an overflow reaches stderr as rnncli's own warning line only:
never numpy's RuntimeWarning, checked with warnings turned into errors (-W error)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, WEATHER, WEATHER_CONFIG

OVERFLOW_H = (
    "rnncli: warning: h_t overflowed to inf or nan at t = 1 (unit 1); "
    "the weights or inputs are too large for this activation"
)
BEYOND_NETWORK = (
    "rnncli: warning: the network (its weights or h0) has numbers beyond float32's range "
    "(±3.403e+38), which are inf under --dtype float32"
)


def stderr_lines(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-m", "rnncli", "forward", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def config(tmp_path: Path, W_xh: str, W_ho: str | None = None) -> str:
    path = tmp_path / "net.yaml"
    output = f"\n  W_ho: {W_ho}" if W_ho else ""
    path.write_text(
        "activation: identity\nweights:\n"
        f"  W_xh: {W_xh}\n  W_hh: [[1.0, 0.0], [0.0, 1.0]]{output}\n"
    )
    return str(path)


@pytest.mark.parametrize("output_format", ["csv", "json", "jsonl", "table"])
@pytest.mark.parametrize("extra", [[], ["--explain"], ["-m", "many-to-one"]])
def test_large_weights_overflow_with_one_line(
    tmp_path: Path, output_format: str, extra: list[str]
) -> None:
    """1e38 fits float32, but 22.1 · 1e38 does not: h_1 is inf."""
    net = config(tmp_path, "[[1.0e38, 1.0e38], [1.0, 1.0]]")
    args = [WEATHER, "-c", net, "--dtype", "float32", "-f", output_format, *extra]
    assert stderr_lines(*args) == [OVERFLOW_H]


def test_weights_beyond_float32_are_named_once(tmp_path: Path) -> None:
    """1e300 is inf in float32: said once, then h_t's overflow."""
    net = config(tmp_path, "[[1.0e300, 1.0], [1.0, 1.0]]")
    lines = stderr_lines(WEATHER, "-c", net, "--dtype", "float32", "-f", "csv")
    assert lines == [BEYOND_NETWORK, OVERFLOW_H]
    # In float64 the same network runs with no warning at all: 22.1e300 is a float64.
    assert stderr_lines(WEATHER, "-c", net, "-f", "csv") == []


def test_an_output_layer_beyond_float32(tmp_path: Path) -> None:
    net = config(tmp_path, "[[1.0, 1.0], [1.0, 1.0]]", W_ho="[[1.0e300, 1.0]]")
    lines = stderr_lines(WEATHER, "-c", net, "--dtype", "float32", "-f", "json")
    assert lines == [BEYOND_NETWORK, OVERFLOW_H.replace("h_t", "o_t")]


def test_inputs_and_h0_beyond_float32(tmp_path: Path) -> None:
    data = tmp_path / "big.csv"
    data.write_text("temperature,humidity\n1e300,1\n")
    lines = stderr_lines(str(data), "-c", WEATHER_CONFIG, "--dtype", "float32")
    assert lines == [
        "rnncli: warning: the input has numbers beyond float32's range (±3.403e+38), "
        "which are inf under --dtype float32",
        OVERFLOW_H,
    ]
    h0 = ["--h0", "1e300,0,0"]
    lines = stderr_lines(WEATHER, "-c", WEATHER_CONFIG, "--dtype", "float32", *h0)
    assert lines[0] == BEYOND_NETWORK and len(lines) == 2
