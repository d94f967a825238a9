"""Reading a named file or standard input as text, with errors that name the file."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO, cast

from rnncli.errors import RnnCliError, located

STDIN = "-"
STDIN_NAME = "<stdin>"


def source_name(path: str) -> str:
    """How messages name the input: the path as given, or <stdin> for `-`."""
    return STDIN_NAME if path == STDIN else path


def read_bytes(path: str, what: str) -> bytes:
    """The whole content of `path` (`-` reads standard input); `what` names the kind of file."""
    if path == STDIN:
        return sys.stdin.buffer.read()
    with open_binary(path, what) as stream:
        try:
            return stream.read()
        except OSError as error:
            raise _unreadable(path, what, error) from None


def open_binary(path: str, what: str) -> BinaryIO:
    """`path` opened for reading bytes, or an error that says why it cannot be."""
    if not path:
        raise RnnCliError(f"an empty name was given for the {what} file")
    if Path(path).is_dir():
        raise RnnCliError(f"{path}: is a folder, not a {what} file")
    try:
        return open(path, "rb")
    except OSError as error:
        raise _unreadable(path, what, error) from None


def _unreadable(path: str, what: str, error: OSError) -> RnnCliError:
    if isinstance(error, FileNotFoundError):
        return RnnCliError(f"{path}: no such file (expected a {what})")
    if isinstance(error, IsADirectoryError):
        return RnnCliError(f"{path}: is a folder, not a {what} file")
    if isinstance(error, PermissionError):
        return RnnCliError(f"{path}: permission denied")
    return RnnCliError(f"{path}: cannot be read: {error.strerror or error}")


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is an error saying so."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(data):
        raise RnnCliError(f"{source}: is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise RnnCliError(f"{source}: is a binary file, not text")
    return decode_utf8(data, source).removeprefix("\ufeff")


def decode_utf8(data: bytes, source: str, first_line: int = 1) -> str:
    """data as UTF-8 text; an error names the bad byte's line (data's first line being
    `first_line` of the file) and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = first_line + data.count(b"\n", 0, error.start)
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        message = f"is not UTF-8 text (byte 0x{bad}); save it as UTF-8"
        raise RnnCliError(located(source, message, line, column)) from None


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with a zero byte beside every character."""
    head = data[:200]
    if len(head) < 4:
        return False
    return head[1::2].count(0) > 0.9 * len(head[1::2]) or head[0::2].count(0) > 0.9 * len(
        head[0::2]
    )


@contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """Standard output, or a new file at `path` that appears only once it is complete.

    The file is written to a temporary file beside it and renamed over `path` at the
    end, so an error or an interrupt never leaves a partial file behind.
    """
    if path is None or path == STDIN:
        yield sys.stdout
        sys.stdout.flush()
        return
    if not path:
        raise RnnCliError("an empty name was given for the file to write")
    target = Path(path)
    if target.is_dir():
        raise RnnCliError(f"{path}: is a folder; give a file name to write to")
    if not target.parent.is_dir():
        raise RnnCliError(f"{path}: the folder {str(target.parent)!r} does not exist")
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below, then renamed)
            "w",
            encoding="utf-8",
            newline="",
            dir=target.parent,
            prefix=f".{target.name}.",
            suffix=".tmp",
            delete=False,
        )
    except OSError as error:
        raise RnnCliError(f"{path}: cannot be written: {error.strerror or error}") from None
    try:
        with handle:
            yield cast(TextIO, handle)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)  # as a plain `> file` would make it
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
