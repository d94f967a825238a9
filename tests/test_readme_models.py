"""The README's model-file round trips, run line by line as written, in a copy of the
project's samples and configs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, command_environment, requires

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Model files: PyTorch, Keras, ONNX", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```sh\n(.*?)```", SECTION, flags=re.DOTALL)
NEEDED = ("torch", "onnxruntime", "keras", "h5py", "safetensors", "onnx")


def test_there_is_one_round_trip_per_framework() -> None:
    assert len(BLOCKS) == 3
    assert all("rnncli forward" in block and "rnncli import" in block for block in BLOCKS)


@pytest.mark.slow
@requires("jq", *NEEDED)
@pytest.mark.parametrize("block", BLOCKS, ids=["torch", "onnx", "keras"])
def test_the_round_trip_runs(block: str, tmp_path: Path) -> None:
    for name in ("samples", "configs"):
        shutil.copytree(ROOT / name, tmp_path / name)
    environment = command_environment(tmp_path)
    outputs = []
    for line in block.strip().splitlines():
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", line],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 0, (line, done.stderr)
        outputs.append(done.stdout)
    if "rnn.pt" in block:  # the textbook's network: h_3 in float64, then its first "Output" row
        assert outputs[1].strip() == "[-0.8649416224056057,0.904663597901336]"
        assert "-0.3520,  0.5253" in outputs[3]
    if "weather.onnx" in block:  # ONNX Runtime's last o_t equals rnncli's in float32
        ours = [float(v) for v in outputs[2].strip().split(",")[-1:]]
        theirs = [float(v) for v in outputs[1].strip(" []\n").split()]
        assert abs(ours[0] - theirs[0]) < 1e-5
        assert outputs[3].startswith("# rnncli network imported from weather.onnx\n# format: ONNX")
    if "weather.keras" in block:
        assert "# conversion: Keras Dense 'dense': kernel transposed into W_ho" in outputs[2]
