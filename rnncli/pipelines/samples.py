"""The sample sequences and configs that the help's examples use, wherever rnncli is.

A wheel carries them inside the package (rnncli/samples, rnncli/configs); a source
checkout has them beside it. `rnncli samples --copy` puts both folders in the current
folder, so every example in the help runs as written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from rnncli.errors import RnnCliError

FOLDERS = ("samples", "configs")


def sample_root() -> Path:
    """The folder that holds samples/ and configs/: the package, or the checkout."""
    package = Path(__file__).resolve().parents[1]  # rnncli/, above pipelines/
    return package if (package / FOLDERS[0]).is_dir() else package.parent


def sample_paths() -> list[Path]:
    """Every sample file, samples/ first."""
    root = sample_root()
    return [path for folder in FOLDERS for path in sorted((root / folder).iterdir())]


def sample_text(name: str) -> str:
    """The text of the sample called `name` (sample.csv, configs/weather.yaml, ...)."""
    for path in sample_paths():
        if name in (path.name, f"{path.parent.name}/{path.name}"):
            return path.read_text("utf-8")
    names = ", ".join(path.name for path in sample_paths())
    raise RnnCliError(f"{name}: no such sample; there are {names}")


def copy_samples(target: Path) -> list[Path]:
    """Copy samples/ and configs/ into `target`; the files written. A file already there
    with other content is an error, before anything is copied."""
    pairs = [(path, target / path.parent.name / path.name) for path in sample_paths()]
    for source, copy in pairs:
        if copy.exists() and copy.read_bytes() != source.read_bytes():
            raise RnnCliError(f"{copy}: already exists with other content; nothing copied")
    written = []
    for source, copy in pairs:
        if not copy.exists():
            copy.parent.mkdir(exist_ok=True)
            shutil.copyfile(source, copy)
            written.append(copy.relative_to(target))
    return written
