"""The progress line on stderr: shown on a terminal for a run over a second, while stdout
stays the data alone."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import RNNCLI, read_all

#: Steps enough for a streamed run of well over a second (the line waits one second).
STEPS = 600_000


@pytest.mark.slow
def test_a_long_streamed_run_shows_its_progress_on_a_terminal_stderr(tmp_path: Path) -> None:
    sequence = tmp_path / "long.csv"
    X = np.random.default_rng(0).uniform(-1, 1, (STEPS, 5))
    np.savetxt(sequence, X, fmt="%.3f", delimiter=",", header="a,b,c,d,e", comments="")
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "CI")}
    env.update({"COLUMNS": "100", "TERM": "xterm-256color"})
    out = tmp_path / "out.csv"
    with out.open("w") as stdout:
        process = subprocess.Popen(
            [*RNNCLI, "forward", str(sequence), "-f", "csv"], stdout=stdout, stderr=child, env=env
        )
    os.close(child)
    try:
        screen = read_all(main, process).decode("utf-8")
    finally:
        os.close(main)
    process.wait(timeout=120)
    assert process.returncode == 0
    # the line counts the steps as they go: "123,456 steps" and the time elapsed
    counts = [int(n.replace(",", "")) for n in re.findall(r"([\d,]+) steps", screen)]
    assert counts and all(0 < n <= STEPS for n in counts)
    assert counts == sorted(counts)
    assert re.search(r"\d:\d\d:\d\d", screen)
    # stdout is the data alone: the header, then one row per step, numbers only
    lines = out.read_text().splitlines()
    assert lines[0] == "t,a,b,c,d,e,h1,h2"
    assert len(lines) == STEPS + 1
    assert "steps" not in out.read_text() and "\x1b" not in out.read_text()
    for k in (1, STEPS // 2, STEPS):
        row = lines[k].split(",")
        assert int(row[0]) == k and len(row) == 8
        np.testing.assert_allclose([float(v) for v in row[1:6]], X[k - 1], atol=5e-4)
    # without a terminal on stderr, no line at all, and the same data on stdout
    quiet = subprocess.run(
        [*RNNCLI, "forward", str(sequence), "-f", "csv"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert quiet.stderr == ""
    assert quiet.stdout == out.read_text()
