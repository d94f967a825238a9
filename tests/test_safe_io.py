"""Never destroy what -o points at, never hang on an endless input: real processes on
device nodes, FIFOs, links, full disks and streams that never end."""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import RNNCLI, SAMPLE, released, wait_for

ROW = "0.1,0.2,0.3,0.4,0.5\n"
PR_CAPBSET_DROP = 24


def rnncli(
    *args: str,
    cwd: Path | None = None,
    preexec: Callable[[], None] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RNNCLI, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        preexec_fn=preexec,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def expected_csv() -> str:
    return rnncli("forward", SAMPLE, "-f", "csv").stdout


def assert_one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("rnncli: error: ")
    assert len(result.stderr.splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def device(folder: Path, name: str, minor: int) -> Path:
    """A character device like /dev/null (1, 3) or /dev/full (1, 7), made in `folder`."""
    path = folder / name
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except (PermissionError, OSError) as error:
        pytest.skip(f"cannot make a device node here: {error}")
    return path


# -- outputs that are not regular files ---------------------------------------------------


def test_o_onto_a_null_device_writes_into_it_and_keeps_it(tmp_path: Path) -> None:
    null = device(tmp_path, "null", 3)
    result = rnncli("forward", SAMPLE, "-f", "csv", "-o", str(null))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert os.listdir(tmp_path) == ["null"]  # no temporary file left beside it


@pytest.mark.parametrize("option", ["-o", "--save-state"])
def test_a_full_device_is_a_one_line_error_and_stays_a_device(tmp_path: Path, option: str) -> None:
    full = device(tmp_path, "full", 7)
    args = ["forward", SAMPLE, "-f", "csv", option, str(full)]
    if option == "--save-state":
        args += ["-o", str(tmp_path / "out.csv")]
    result = rnncli(*args)
    assert result.returncode == 1
    assert result.stderr == f"rnncli: error: {full}: cannot be written: No space left on device\n"
    assert stat.S_ISCHR(os.lstat(full).st_mode)
    assert {p.name for p in tmp_path.iterdir()} <= {"full", "out.csv"}


def test_init_weights_onto_a_device_needs_no_force(tmp_path: Path) -> None:
    null = device(tmp_path, "null", 3)
    result = rnncli("init-weights", "-i", "2", "-H", "2", "-o", str(null))
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_link_to_stdout_writes_to_stdout_and_stays_a_link(tmp_path: Path) -> None:
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    result = rnncli("forward", SAMPLE, "-f", "csv", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected_csv()
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


def test_dev_stdout_into_a_file_writes_through_the_descriptor(tmp_path: Path) -> None:
    if not os.path.islink("/dev/stdout"):
        pytest.skip("/dev/stdout is not a link here")
    out = tmp_path / "out.csv"
    with out.open("w") as handle:
        result = subprocess.run(
            [*RNNCLI, "forward", SAMPLE, "-f", "csv", "-o", "/dev/stdout"],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert out.read_text() == expected_csv()
    assert os.path.islink("/dev/stdout")


def test_a_fifo_is_written_into_for_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = rnncli("forward", SAMPLE, "-f", "csv", "-o", str(fifo))
    released(fifo)  # the reader, should rnncli never have opened the FIFO
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert received == [expected_csv()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_whose_reader_leaves_is_a_one_line_error(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text(ROW * 50_000)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def read_a_little() -> None:
        with fifo.open("rb") as handle:
            handle.read(100)

    reader = threading.Thread(target=read_a_little, daemon=True)
    reader.start()
    result = rnncli("forward", str(long), "-f", "csv", "-o", str(fifo))
    released(fifo)
    reader.join(timeout=60)
    assert_one_line_error(result, f"{fifo}: cannot be written", "Broken pipe")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_link_to_a_regular_file_replaces_the_file_not_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    result = rnncli("forward", SAMPLE, "-f", "csv", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "real.csv"
    assert real.read_text() == expected_csv()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_a_write_error_leaves_the_old_file_as_it_was(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text(ROW * 5_000)
    out = tmp_path / "out.csv"
    out.write_text("the previous content\n")

    def small_files() -> None:  # writes past 10 kB fail with EFBIG, like a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    result = rnncli("forward", str(long), "-f", "csv", "-o", str(out), preexec=small_files)
    assert_one_line_error(result, f"{out}: cannot be written", "File too large")
    assert out.read_text() == "the previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.csv", "out.csv"]


def test_a_full_stdout_is_a_one_line_error() -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*RNNCLI, "forward", SAMPLE, "-f", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr == "rnncli: error: <stdout>: cannot be written: No space left on device\n"


def test_a_closed_descriptor_is_a_one_line_error(tmp_path: Path) -> None:
    link = tmp_path / "fd9"
    link.symlink_to("/proc/self/fd/9")  # a descriptor the process does not have
    result = rnncli("forward", SAMPLE, "-f", "csv", "-o", str(link))
    assert_one_line_error(result, f"{link}: cannot be written")
    assert link.is_symlink()


def test_a_missing_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    result = rnncli("forward", SAMPLE, "-o", str(tmp_path / "no" / "out.csv"))
    assert_one_line_error(result, "does not exist")
    assert list(tmp_path.iterdir()) == []


def without_root_overrides() -> None:
    """Run as root without the capabilities that let root write into any folder
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER), so permission bits count."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2, 3):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_a_read_only_folder_is_a_one_line_error(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    (folder / "out.csv").write_text("kept\n")
    folder.chmod(0o555)
    drop = None
    if os.geteuid() == 0:
        drop = without_root_overrides
        try:
            subprocess.run(["true"], preexec_fn=drop, check=True)
        except (subprocess.SubprocessError, OSError):
            pytest.skip("root's capabilities cannot be dropped here")
    target = str(folder / "out.csv")
    try:
        result = rnncli("forward", SAMPLE, "-o", target, preexec=drop)
    finally:
        folder.chmod(0o755)
    assert_one_line_error(result, f"{target}: cannot be written", "Permission denied")
    assert (folder / "out.csv").read_text() == "kept\n"
    assert os.listdir(folder) == ["out.csv"]


# -- inputs without end -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["forward", "/dev/zero"],
        ["forward", "/dev/zero", "--input-format", "csv", "-f", "csv"],
        ["forward", SAMPLE, "-c", "/dev/zero"],
        ["inspect", "/dev/zero"],
    ],
    ids=["sequence", "streamed sequence", "config", "inspect"],
)
def test_dev_zero_is_refused_at_once(args: list[str]) -> None:
    result = rnncli(*args, timeout=20)
    assert_one_line_error(result, "/dev/zero: is a binary file, not text")


def test_a_huge_config_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: 3 GB of zeros that take no disk
    result = rnncli("forward", SAMPLE, "-c", str(huge), timeout=20)
    assert_one_line_error(result, f"{huge}: is larger than 256 MiB")


def test_a_line_without_end_is_refused_as_soon_as_it_is_too_long(tmp_path: Path) -> None:
    endless = tmp_path / "one-line.csv"
    endless.write_text(ROW * 3 + "1" * 3_000_000)
    result = rnncli("forward", str(endless), "-f", "csv", timeout=20)
    assert result.returncode == 1
    assert result.stderr.startswith(f"rnncli: error: {endless}:4: a line longer than 1 MiB")
    assert len(result.stderr.splitlines()) == 1


def peak_memory_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def test_an_endless_fifo_streams_in_flat_memory(tmp_path: Path) -> None:
    """Rows fed into a FIFO come out while the FIFO is still open, and the reader's peak
    memory stops growing: it is the same after 20,000 rows and after 200,000 (however
    long a busy machine takes for them)."""
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    out = tmp_path / "out.csv"
    stop = threading.Event()

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("w") as handle:
            handle.write("a,b,c,d,e\n")
            while not stop.is_set():
                handle.write(ROW * 200)
                handle.flush()
                time.sleep(0.002)  # a steady stream, not a flood the pipe holds back

    def rows_out() -> int:
        with out.open("rb") as written:
            return sum(block.count(b"\n") for block in iter(lambda: written.read(2**20), b""))

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    with out.open("w") as handle:
        process = subprocess.Popen(
            [*RNNCLI, "forward", str(fifo), "-f", "csv"], stdout=handle, stderr=subprocess.PIPE
        )
        try:
            wait_for(lambda: rows_out() > 20_000, "20,000 rows out")
            early_peak = peak_memory_kib(process.pid)
            wait_for(lambda: rows_out() > 200_000, "200,000 rows out")
            late_peak = peak_memory_kib(process.pid)
        finally:
            stop.set()
            released(fifo)
            feeder.join(timeout=60)
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert late_peak <= 1.2 * early_peak, (early_peak, late_peak)
    lines = out.read_text().splitlines()
    assert lines[0] == "t,a,b,c,d,e,h1,h2"
    assert len(lines) > 200_000
    assert lines[-1].startswith(f"{len(lines) - 1},0.1,0.2,0.3,0.4,0.5,")


# -- a killed run ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_killed_run_removes_its_temporary_file(tmp_path: Path, number: int) -> None:
    """A run streaming from a FIFO fed slowly (so it is surely in the middle of writing
    -o) is sent the signal once its temporary file is there: the file goes, the old -o
    stays (bytes and inode), and the run ends as the signal ends it (Ctrl-C: 130)."""
    fifo = tmp_path / "rows.csv"
    os.mkfifo(fifo)
    out = tmp_path / "out.csv"
    out.write_text("the previous content\n")
    inode = out.stat().st_ino
    stop = threading.Event()

    def feed() -> None:
        try:
            with fifo.open("w") as handle:
                handle.write("a,b,c,d,e\n")
                while not stop.is_set():
                    handle.write(ROW * 100)
                    handle.flush()
                    time.sleep(0.01)
        except BrokenPipeError:
            pass  # the run has ended

    def as_at_a_terminal() -> None:  # a background shell's child may inherit SIG_IGN
        for each in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(each, signal.SIG_DFL)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    process = subprocess.Popen(
        [*RNNCLI, "forward", str(fifo), "-f", "csv", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=as_at_a_terminal,
    )
    try:
        deadline = time.monotonic() + 60
        while not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no temporary file within 60 s"
            time.sleep(0.02)
        written = next(p for p in tmp_path.iterdir() if p.name.endswith(".tmp"))
        while written.stat().st_size == 0:  # rows have gone through the run
            assert time.monotonic() < deadline, "nothing written within 60 s"
            time.sleep(0.02)
        process.send_signal(number)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        stop.set()
        released(fifo)  # the feeder, should the run never have opened the FIFO
        feeder.join(timeout=60)
        if process.poll() is None:
            process.kill()
    ended = 130 if number == signal.SIGINT else -number
    assert process.returncode == ended, stderr
    assert (stdout, stderr) == (b"", b"")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "rows.csv"]
    assert out.read_text() == "the previous content\n"
    assert out.stat().st_ino == inode
