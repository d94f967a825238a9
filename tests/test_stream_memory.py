"""A long csv through an LSTM or a GRU streams: ten times the steps, written as csv to
/dev/null, keep the child process's peak resident memory within 1.2 times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rnncli.models.config.write import network_yaml
from rnncli.option_values import Direction
from tests.conftest import ROOT, random_gated_network

SMALL, LARGE = 20_000, 200_000  # both several pieces (CHUNK_ROWS) long

#: Runs its arguments as a child and prints the child's peak resident set (KiB).
PROBE = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def peak_kib(*arguments: str | Path) -> int:
    command = [sys.executable, "-c", PROBE, *map(str, arguments)]
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return int(subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout)


def write_sequence(path: Path, T: int) -> Path:
    rows = np.random.default_rng(3).uniform(-1, 1, size=(T, 3))
    path.write_text("".join(f"{a:.4f},{b:.4f},{c:.4f}\n" for a, b, c in rows.tolist()))
    return path


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_a_long_gated_run_streams_in_bounded_memory(tmp_path: Path, kind: str) -> None:
    net = random_gated_network(
        np.random.default_rng(5), kind, {}, 1, Direction.FORWARD, output=True
    )
    config = tmp_path / "net.yaml"
    config.write_text(network_yaml(net, [kind]))
    peaks = []
    for T in (SMALL, LARGE):
        data = write_sequence(tmp_path / f"x{T}.csv", T)
        arguments = ["-m", "rnncli", "forward", data, "-c", config, "-f", "csv"]
        peaks.append(peak_kib(sys.executable, *arguments, "-o", "/dev/null"))
    # held whole, 180,000 more steps of x, h, c, z (4H) and o would be megabytes more
    assert peaks[1] <= 1.2 * peaks[0], peaks
