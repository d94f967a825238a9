"""Files out, written so that nothing is destroyed.

`output_stream`: a regular file, or a path that does not exist yet, is written beside its
target under a temporary name and renamed over it only when complete, so an error or
Ctrl-C leaves the old content as it was; a run killed by SIGTERM or SIGHUP removes its
temporary files before it ends as the signal ends it. A link to a regular file replaces
the file it points to, not the link. Anything else (a device such as /dev/null, a FIFO,
/dev/stdout) is written into directly: it is never replaced, removed or chmod-ed. Every
write error is rnncli's own one-line error naming the file.

`check_run_files` is the one rule of what a run may write: no output is an input of the
run or another of its outputs.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rnncli.errors import EXIT_USAGE, RnnCliError
from rnncli.io.files import STDIN
from rnncli.io.temporary_files import forget, temporary_file

if TYPE_CHECKING:
    from typing_extensions import Buffer

#: (what the command line calls it, its path): `-o`, `--save-state`, the sequence, ...
NamedPath = tuple[str, str | None]


class _Sink(io.FileIO):
    """A file whose write errors (a full disk, EIO, a FIFO nobody reads) are rnncli's
    own error naming the file, not an OSError from deep inside a writer."""

    shown_name = ""

    def write(self, data: Buffer) -> int:
        try:
            return super().write(data)
        except OSError as error:
            raise _unwritable(self.shown_name, error) from None


def _unwritable(path: str, error: OSError) -> RnnCliError:
    return RnnCliError(f"{path}: cannot be written: {error.strerror or error}")


def _text_over(sink: _Sink) -> TextIO:
    return io.TextIOWrapper(io.BufferedWriter(sink), encoding="utf-8", newline="")


def _link_chain(path: str) -> tuple[str, bool]:
    """Where the links at `path` lead, and whether one passes through /proc (as
    /dev/stdout -> /proc/self/fd/1 does): such a path names an open descriptor."""
    current, magic = os.path.abspath(path), False
    for _ in range(40):
        if not os.path.islink(current):
            break
        target = os.readlink(current)
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
        magic = magic or current.startswith("/proc/")
    return current, magic or current.startswith("/proc/")


@contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """Standard output, or the file at `path`, written so that nothing is destroyed:
    see the module's docstring."""
    if path is None or path == STDIN:
        with _stdout_errors():
            yield sys.stdout
            sys.stdout.flush()
        return
    target, mode, in_place = _output_target(path)
    if in_place:
        with _written_in_place(path) as out:
            yield out
        return
    with _replaced(path, Path(target), mode) as out:
        yield out


def check_run_files(outputs: Sequence[NamedPath], inputs: Sequence[NamedPath]) -> None:
    """The one rule of what a run writes, checked before anything is read: every output
    can be an output file at all (not a folder, in a folder that exists), and none is an
    input of the run or another output.

    Files are the same when they are one file (device and inode, after the links); an
    output that does not exist yet is compared by the path it resolves to, so two outputs
    of one new name are caught too. What is written in place (a device, a FIFO, standard
    output, /dev/stdout) is not compared, nor standard input `-` nor a path given as
    None. The pipelines name every file a run reads (an ONNX model's external data
    files too: `models.read.files_read_with`). The error is a usage error naming both."""
    given: list[tuple[tuple[object, ...], str]] = []
    for what, path in inputs:
        if path is not None and path != STDIN and os.path.exists(path):
            key = _identity(path)
            if key is not None:
                given.append((key, f"{what} {path}"))
    written: list[tuple[tuple[object, ...], str]] = []
    for option, path in outputs:
        if path is None or path == STDIN:
            continue
        _, mode, in_place = _output_target(path)
        key = None if in_place else _identity(path) if mode is not None else _new_file(path)
        if key is None:
            continue
        for other, named in given:
            if other == key:
                raise RnnCliError(
                    f"{option} {path} is {named}: a run never writes over a file it reads; "
                    "write to another file",
                    exit_code=EXIT_USAGE,
                )
        for other, named in written:
            if other == key:
                raise RnnCliError(
                    f"{option} {path} is {named}: two outputs of one run cannot be one file; "
                    "give each its own",
                    exit_code=EXIT_USAGE,
                )
        written.append((key, f"{option} {path}"))


def _identity(path: str) -> tuple[object, ...] | None:
    """The file at the end of `path`'s links, as its device and inode (None: it cannot
    be told, and reading or writing it will say why)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return ("file", info.st_dev, info.st_ino)


def _new_file(path: str) -> tuple[object, ...]:
    """A file not made yet, as the path it will have once its links are followed."""
    return ("new", os.path.realpath(path))


def _output_target(path: str) -> tuple[str, int | None, bool]:
    """Where writing `path` goes: the file at the end of its links, its mode (None: it does
    not exist yet), and whether it is written in place rather than replaced."""
    if not path:
        raise RnnCliError("an empty name was given for the file to write")
    target, through_proc = _link_chain(path)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise _unwritable(path, error) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise RnnCliError(f"{path}: is a folder; give a file name to write to")
    in_place = through_proc or (mode is not None and not stat.S_ISREG(mode))
    if not in_place and not os.path.isdir(os.path.dirname(target) or "."):
        raise RnnCliError(f"{path}: the folder {os.path.dirname(target)!r} does not exist")
    return target, mode, in_place


@contextmanager
def _stdout_errors() -> Iterator[None]:
    """A write error on standard output (`> /dev/full`) as rnncli's own error. A closed
    pipe (`| head`) is not one: the command line ends that quietly."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        # What is still buffered could not be written at exit either: send it nowhere.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise _unwritable("<stdout>", error) from None


@contextmanager
def _written_in_place(path: str) -> Iterator[TextIO]:
    """A device, FIFO or descriptor written into as it is."""
    try:
        sink = _Sink(path, "w")
    except OSError as error:
        raise _unwritable(path, error) from None
    sink.shown_name = path
    out = _text_over(sink)
    try:
        yield out
    finally:
        try:
            out.close()
        except OSError as error:
            raise _unwritable(path, error) from None


@contextmanager
def _replaced(path: str, target: Path, mode: int | None) -> Iterator[TextIO]:
    """A regular file (or a new one) written beside `target` and renamed over it when
    complete; an existing file keeps its permission bits."""
    try:
        descriptor, temporary = temporary_file(target)
    except OSError as error:
        raise _unwritable(path, error) from None
    try:
        sink = _Sink(descriptor, "w")
        sink.shown_name = path
        with _text_over(sink) as out:
            yield out
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)  # as a plain `> file` would make it
        else:
            os.chmod(temporary, stat.S_IMODE(mode))
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _unwritable(path, error) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        forget(temporary)
