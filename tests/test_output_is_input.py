"""No run writes over a file it reads, nor two outputs into one file: every output of
every command is held to every input and to each other output, by device and inode
after the links (by resolved path where it does not exist yet), before anything is read.
Each refusal is one line naming both files, exit code 2, nothing on stdout, and the
folder as it was: the same names, the same bytes, the same inodes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import RNNCLI, ROOT, SAMPLE, reference_module

TEXTBOOK = ROOT / "configs" / "textbook.yaml"
TARGETS = ROOT / "samples" / "sample-target.csv"
EXIT_USAGE = 2
READS = "a run never writes over a file it reads; write to another file"
TWO_OUTPUTS = "two outputs of one run cannot be one file; give each its own"


def rnncli(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`python -m rnncli ARGS` run in `folder`, this checkout's rnncli."""
    return subprocess.run(
        [*RNNCLI, *args],
        capture_output=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def snapshot(folder: Path) -> dict[str, tuple[str, int, bytes | str]]:
    """Every name in `folder`: a link's target, or a file's inode and bytes."""
    seen: dict[str, tuple[str, int, bytes | str]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink():
            seen[path.name] = ("link", os.lstat(path).st_ino, os.readlink(path))
        elif path.is_dir():
            seen[path.name] = ("folder", path.stat().st_ino, "")
        else:
            seen[path.name] = ("file", path.stat().st_ino, path.read_bytes())
    return seen


def assert_refused(folder: Path, args: list[str], message: str) -> None:
    """The run ends in the one line `rnncli: error: MESSAGE`, exit code 2, and leaves
    `folder` as it was."""
    before = snapshot(folder)
    result = rnncli(folder, *args)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stdout == b""
    assert result.stderr.decode() == f"rnncli: error: {message}\n"
    assert snapshot(folder) == before


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A sequence, a config, targets, a state file and a reference, each its own file."""
    shutil.copyfile(SAMPLE, tmp_path / "s.csv")
    shutil.copyfile(TEXTBOOK, tmp_path / "net.yaml")
    shutil.copyfile(TARGETS, tmp_path / "t.csv")
    (tmp_path / "state.json").write_text(json.dumps({"h0": [[0.25, -0.5]]}))
    reference = rnncli(tmp_path, "forward", "s.csv", "-f", "csv")
    assert reference.returncode == 0
    (tmp_path / "ref.csv").write_bytes(reference.stdout)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["forward", "s.csv", "-o", "s.csv"], f"-o s.csv is the sequence s.csv: {READS}"),
        (
            ["forward", "s.csv", "-c", "net.yaml", "-o", "net.yaml"],
            f"-o net.yaml is the config net.yaml: {READS}",
        ),
        (
            ["forward", "s.csv", "--save-state", "s.csv"],
            f"--save-state s.csv is the sequence s.csv: {READS}",
        ),
        (
            ["forward", "s.csv", "--h0", "state.json", "--save-state", "state.json"],
            f"--save-state state.json is --h0 state.json: {READS}",
        ),
        (
            ["forward", "s.csv", "--expect", "ref.csv", "-o", "ref.csv"],
            f"-o ref.csv is --expect ref.csv: {READS}",
        ),
        (
            ["forward", "s.csv", "-o", "out.csv", "--save-state", "out.csv"],
            f"--save-state out.csv is -o out.csv: {TWO_OUTPUTS}",
        ),
        (
            ["backward", "s.csv", "--targets", "t.csv", "-o", "t.csv"],
            f"-o t.csv is --targets t.csv: {READS}",
        ),
        (
            ["backward", "s.csv", "--targets", "t.csv", "-o", "s.csv"],
            f"-o s.csv is the sequence s.csv: {READS}",
        ),
        (
            ["backward", "s.csv", "--h0", "state.json", "-o", "state.json"],
            f"-o state.json is --h0 state.json: {READS}",
        ),
        (
            ["backward", "s.csv", "--compare", "net.yaml", "-o", "net.yaml"],
            f"-o net.yaml is --compare net.yaml: {READS}",
        ),
        (
            ["export", "net.yaml", "--to", "onnx", "-o", "net.yaml", "--force"],
            f"-o net.yaml is the config net.yaml: {READS}",
        ),
    ],
)
def test_an_output_onto_an_input_is_refused(folder: Path, args: list[str], message: str) -> None:
    assert_refused(folder, args, message)


def test_two_outputs_of_one_new_name_are_refused(folder: Path) -> None:
    """X does not exist yet: the two are held to each other by the path they resolve
    to (without the check X would end up holding the state alone)."""
    args = ["forward", "s.csv", "-o", "X", "--save-state", "./X"]
    assert_refused(folder, args, f"--save-state ./X is -o X: {TWO_OUTPUTS}")
    assert not (folder / "X").exists()


def test_two_outputs_through_a_dangling_link_are_refused(folder: Path) -> None:
    (folder / "later.json").symlink_to("new.json")
    args = ["forward", "s.csv", "-o", "new.json", "--save-state", "later.json"]
    assert_refused(folder, args, f"--save-state later.json is -o new.json: {TWO_OUTPUTS}")


def test_an_output_through_a_link_to_the_input_is_refused(folder: Path) -> None:
    (folder / "link.csv").symlink_to("s.csv")
    message = f"-o link.csv is the sequence s.csv: {READS}"
    assert_refused(folder, ["forward", "s.csv", "-o", "link.csv"], message)
    # and the other way round: the sequence read through the link, -o the file itself
    message = f"-o s.csv is the sequence link.csv: {READS}"
    assert_refused(folder, ["forward", "link.csv", "-o", "s.csv"], message)


def test_an_output_through_a_linked_folder_is_refused(folder: Path) -> None:
    (folder / "here").symlink_to(".")
    message = f"-o here/s.csv is the sequence s.csv: {READS}"
    assert_refused(folder, ["forward", "s.csv", "-o", "here/s.csv"], message)


def test_a_hard_link_to_the_input_is_refused(folder: Path) -> None:
    os.link(folder / "s.csv", folder / "same.csv")
    message = f"-o same.csv is the sequence s.csv: {READS}"
    assert_refused(folder, ["forward", "s.csv", "-o", "same.csv"], message)


def test_a_plot_onto_its_sequence_is_refused(folder: Path) -> None:
    (folder / "figure.png").symlink_to("s.csv")
    message = f"-o figure.png is the sequence s.csv: {READS}"
    assert_refused(folder, ["plot", "s.csv", "-o", "figure.png"], message)


@pytest.mark.parametrize("to", ["onnx", "safetensors"])
def test_an_import_onto_its_model_is_refused(folder: Path, to: str) -> None:
    model = f"net.{to}"
    assert rnncli(folder, "export", "net.yaml", "--to", to, "-o", model).returncode == 0
    message = f"-o {model} is the model {model}: {READS}"
    assert_refused(folder, ["import", model, "-o", model, "--force"], message)


def test_an_export_onto_its_model_by_the_default_name_is_refused(folder: Path) -> None:
    """`export net.onnx --to onnx` would write net.onnx, the model it reads."""
    assert rnncli(folder, "export", "net.yaml", "--to", "onnx", "-o", "net.onnx").returncode == 0
    message = f"-o net.onnx is the config net.onnx: {READS}"
    assert_refused(folder, ["export", "net.onnx", "--to", "onnx", "--force"], message)


def test_an_output_onto_an_onnx_models_external_data_is_refused(folder: Path) -> None:
    onnx = reference_module("onnx")
    assert rnncli(folder, "export", "net.yaml", "--to", "onnx", "-o", "small.onnx").returncode == 0
    model = onnx.load(str(folder / "small.onnx"))
    onnx.save_model(
        model,
        str(folder / "net.onnx"),
        save_as_external_data=True,
        location="net.onnx.data",
        size_threshold=0,
    )
    (folder / "small.onnx").unlink()
    assert rnncli(folder, "forward", "s.csv", "-c", "net.onnx").returncode == 0  # it is read
    data = "the config net.onnx's external data net.onnx.data"
    assert_refused(
        folder,
        ["forward", "s.csv", "-c", "net.onnx", "-o", "net.onnx.data"],
        f"-o net.onnx.data is {data}: {READS}",
    )
    data = "the model net.onnx's external data net.onnx.data"
    assert_refused(
        folder,
        ["import", "net.onnx", "-o", "net.onnx.data", "--force"],
        f"-o net.onnx.data is {data}: {READS}",
    )


def test_an_onnx_models_external_data_is_known_by_the_name_the_model_gives(
    folder: Path,
) -> None:
    """The data file is the one the model names (here weights.bin), not a guess: a stray
    net.onnx.data beside a model that does not use it may be written."""
    onnx = reference_module("onnx")
    assert rnncli(folder, "export", "net.yaml", "--to", "onnx", "-o", "small.onnx").returncode == 0
    onnx.save_model(
        onnx.load(str(folder / "small.onnx")),
        str(folder / "net.onnx"),
        save_as_external_data=True,
        location="weights.bin",
        size_threshold=0,
    )
    (folder / "small.onnx").unlink()
    expected = rnncli(folder, "forward", "s.csv", "-c", "net.onnx", "-f", "csv")
    assert expected.returncode == 0, expected.stderr
    data = "the config net.onnx's external data weights.bin"
    assert_refused(
        folder,
        ["forward", "s.csv", "-c", "net.onnx", "-o", "weights.bin"],
        f"-o weights.bin is {data}: {READS}",
    )
    written = rnncli(
        folder, "forward", "s.csv", "-c", "net.onnx", "-f", "csv", "-o", "net.onnx.data"
    )
    assert written.returncode == 0, written.stderr
    assert (folder / "net.onnx.data").read_bytes() == expected.stdout


def test_devices_and_stdout_are_written_as_before(folder: Path) -> None:
    """Two outputs to /dev/null, and -o /dev/stdout, are not files to compare."""
    before = snapshot(folder)
    result = rnncli(folder, "forward", "s.csv", "-o", "/dev/null", "--save-state", "/dev/null")
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    to_stdout = rnncli(folder, "forward", "s.csv", "-f", "csv", "-o", "/dev/stdout")
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == (folder / "ref.csv").read_bytes()
    assert snapshot(folder) == before


def test_other_files_are_written_and_nothing_else(folder: Path) -> None:
    """Outputs apart from the inputs are written; the inputs and the folder stay."""
    before = snapshot(folder)
    args = ["-c", "net.yaml", "--h0", "state.json", "-f", "csv"]
    result = rnncli(folder, "forward", "s.csv", *args, "-o", "out.csv", "--save-state", "st.json")
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    after = snapshot(folder)
    assert sorted(after) == sorted([*before, "out.csv", "st.json"])
    assert {name: after[name] for name in before} == before
    assert (folder / "out.csv").read_bytes().startswith(b"t,x1,x2,x3,x4,x5,h1,h2\n1,")
    assert set(json.loads((folder / "st.json").read_text())) == {"h0"}


def test_standard_input_is_not_a_file_to_compare(folder: Path) -> None:
    """`-` reads standard input: an -o of any name is not compared with it."""
    with (folder / "s.csv").open("rb") as sequence:
        result = subprocess.run(
            [*RNNCLI, "forward", "-", "-f", "csv", "-o", "out.csv"],
            capture_output=True,
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=sequence,
            timeout=120,
        )
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
    assert (folder / "out.csv").read_bytes() == (folder / "ref.csv").read_bytes()
