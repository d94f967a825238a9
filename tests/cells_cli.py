"""Running `rnncli forward` as a separate process, for the cell tests that hold rnncli to
its command line and config contract only (never to its Python API).

Configs are written as JSON, which is YAML too: every number is Python's repr of the
float, so rnncli reads back exactly the weights the reference runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent

#: rnncli's gate names in PyTorch's order of the row blocks of a stacked matrix.
GATES = {"rnn": ("h",), "lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}


def plain(value: Any) -> Any:
    """numpy arrays as nested lists of Python floats (exact under json.dumps)."""
    if isinstance(value, np.ndarray):
        return value.astype(np.float64).tolist()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(plain(value)), encoding="utf-8")
    return path


def _environment() -> dict[str, str]:
    """This checkout first on the path, so the process runs the code under test."""
    environment = dict(os.environ)
    paths = [str(ROOT), *filter(None, environment.get("PYTHONPATH", "").split(os.pathsep))]
    environment["PYTHONPATH"] = os.pathsep.join(paths)
    return environment


def start_forward(*args: str | Path) -> subprocess.Popen[bytes]:
    """`python -m rnncli forward ARGS -f json`, started (not waited for)."""
    command = [sys.executable, "-m", "rnncli", "forward", *map(str, args), "-f", "json"]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_environment(),
        cwd=ROOT,
    )


def finish(process: subprocess.Popen[bytes]) -> bytes:
    """The process's stdout, once it has ended with exit code 0 and nothing on stderr."""
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode("utf-8", "replace")
    assert stderr == b"", stderr.decode("utf-8", "replace")
    return stdout


def forward_json(*runs: Sequence[str | Path]) -> list[bytes]:
    """Several `rnncli forward ... -f json` runs side by side; their stdout, in order."""
    processes = [start_forward(*args) for args in runs]
    return [finish(process) for process in processes]


def sequence_documents(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A batch document's sequences, or the plain document of one sequence as a list of one."""
    return list(document["sequences"]) if "sequences" in document else [document]


def steps(document: dict[str, Any], key: str) -> npt.NDArray[np.float64]:
    """One key of every step (h, c, o, ...) as a T x n array."""
    return np.array([step[key] for step in document["steps"]], dtype=np.float64)


def states(value: Any, count: int) -> npt.NDArray[np.float64]:
    """h_n or c_n (a vector for one state, else a list of them) as count x n."""
    return np.asarray(value, dtype=np.float64).reshape(count, -1)
