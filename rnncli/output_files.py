"""Files out, written so that nothing is destroyed.

`output_stream`: a regular file, or a path that does not exist yet, is written beside its
target under a temporary name and renamed over it only when complete, so an error or
Ctrl-C leaves the old content as it was. A link to a regular file replaces the file it
points to, not the link. Anything else (a device such as /dev/null, a FIFO,
/dev/stdout) is written into directly: it is never replaced, removed or chmod-ed. Every
write error is rnncli's own one-line error naming the file.
"""

from __future__ import annotations

import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from rnncli.errors import RnnCliError
from rnncli.files import STDIN

if TYPE_CHECKING:
    from typing_extensions import Buffer


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


def check_output(path: str | None) -> None:
    """An error now, before any work, if `path` cannot be an output file at all."""
    if path is not None and path != STDIN:
        _output_target(path)


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
        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
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
