"""The wheel a plain `pip install .` builds carries everything `rnncli forward` and the
help's examples need."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT, requires


@requires("hatchling")
def test_the_wheel_carries_the_builtin_network(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("rnncli-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnncli/textbook.yaml" in names
    assert "rnncli/cli.py" in names
    # The samples and configs the help's examples use (`rnncli samples`).
    for folder in ("samples", "configs"):
        for path in (ROOT / folder).iterdir():
            assert f"rnncli/{folder}/{path.name}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "rnncli = rnncli.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
