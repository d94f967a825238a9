"""Files in: inputs read within bounds, errors that name the file and say why.

A config is at most MAX_CONFIG_BYTES, a sequence read whole at most MAX_SEQUENCE_BYTES,
and a streamed line at most MAX_LINE_BYTES; a NUL byte ends any text input at once. So
`/dev/zero`, a huge file or an endless stream without line ends is refused within the
first block instead of filling the memory. Writing is rnncli.io.output_files.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rnncli.errors import RnnCliError, located

if TYPE_CHECKING:
    pass

STDIN = "-"
STDIN_NAME = "<stdin>"

#: The largest config (YAML now, model files later) read.
MAX_CONFIG_BYTES = 256 * 2**20
#: The largest sequence (or state file) read whole into memory.
MAX_SEQUENCE_BYTES = 2 * 2**30
#: The longest line of a streamed CSV or TSV sequence.
MAX_LINE_BYTES = 2**20
#: What is read at a time.
BLOCK_BYTES = 1 << 16
#: The most values the tensors of one model file may hold, each and all together, as
#: many float32 values as the largest model file holds: counted from the shapes a file
#: declares, in exact integer arithmetic, before anything is allocated (model_bounds).
MAX_WEIGHT_VALUES = MAX_CONFIG_BYTES // 4
#: How deeply the structures of a model file (a pickle's dicts, a JSON config) may nest.
MAX_MODEL_DEPTH = 64


def source_name(path: str) -> str:
    """How messages name the input: the path as given, or <stdin> for `-`."""
    return STDIN_NAME if path == STDIN else path


def _size_text(size: int) -> str:
    return f"{size / 2**30:g} GiB" if size >= 2**30 else f"{size / 2**20:g} MiB"


def read_bytes(path: str, what: str, limit: int, text: bool = True) -> bytes:
    """The whole content of `path` (`-` reads standard input); `what` names the kind of
    file. More than `limit` bytes is an error, told before reading where the size is
    known; a text file with a NUL byte is an error as soon as the byte is read."""
    source = source_name(path)
    too_large = f"{source}: is larger than {_size_text(limit)}, the most a {what} file may be"
    stream = sys.stdin.buffer if path == STDIN else open_binary(path, what)
    try:
        try:
            size = os.fstat(stream.fileno()).st_size
            if stat.S_ISREG(os.fstat(stream.fileno()).st_mode) and size > limit:
                raise RnnCliError(too_large)
        except (OSError, io.UnsupportedOperation, ValueError):
            pass  # a stream with no descriptor (a test's stdin) has no size to check
        blocks: list[bytes] = []
        total = 0
        while block := stream.read(BLOCK_BYTES):
            if text:
                check_text(block, source, first=not blocks)
            total += len(block)
            if total > limit:
                raise RnnCliError(too_large)
            blocks.append(block)
        return b"".join(blocks)
    except OSError as error:
        raise _unreadable(path, what, error) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


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
    return RnnCliError(f"{source_name(path)}: cannot be read: {error.strerror or error}")


def stream_lines(path: str, what: str, first_bytes: int, later_bytes: int) -> Iterator[bytes]:
    """The text file at `path` (`-`: standard input) as blocks of whole lines, about
    `first_bytes` and then `later_bytes` at a time, each ending with its line end (the
    last may have none). A block is handed on as soon as the input has nothing more ready
    (a FIFO fed line by line), so memory stays flat however long the stream runs.

    A line longer than MAX_LINE_BYTES or a NUL byte is an error at once."""
    source = source_name(path)
    stream = sys.stdin.buffer if path == STDIN else open_binary(path, what)
    read = getattr(stream, "read1", stream.read)
    try:
        wanted, pending, line_no, first = first_bytes, b"", 1, True
        while True:
            block = read(BLOCK_BYTES)
            if block:
                check_text(block, source, first)
                first = False
                pending += block
                cut = pending.rfind(b"\n") + 1
                if cut == 0 and len(pending) > MAX_LINE_BYTES:
                    raise RnnCliError(
                        located(
                            source,
                            f"a line longer than {_size_text(MAX_LINE_BYTES)} with no line "
                            "end; is this a text file?",
                            line_no,
                        )
                    )
                if len(pending) < wanted and len(block) == BLOCK_BYTES:
                    continue  # more is ready: gather a fuller block
            cut = len(pending) if not block else pending.rfind(b"\n") + 1
            if cut:
                lines, pending = pending[:cut], pending[cut:]
                line_no += lines.count(b"\n")
                yield lines
                wanted = later_bytes
            if not block:
                return
    except OSError as error:
        raise _unreadable(path, what, error) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def check_text(block: bytes, source: str, first: bool) -> None:
    """A block of a text file: UTF-16 (told by its first block) and NUL bytes are errors."""
    if first and (block.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_like_utf16(block)):
        raise RnnCliError(f"{source}: is UTF-16 text; save it as UTF-8")
    if b"\x00" in block:
        raise RnnCliError(f"{source}: is a binary file, not text")


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 text, with or without a byte-order mark; anything else is an error saying so."""
    check_text(data, source, first=True)
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
    """UTF-16 without a byte-order mark: ASCII text with a zero byte beside every
    character (and characters beside the zeros: a block of zeros is no text at all)."""
    head = data[:200]
    if len(head) < 4:
        return False
    for zeros, characters in ((head[1::2], head[0::2]), (head[0::2], head[1::2])):
        if zeros.count(0) > 0.9 * len(zeros) and characters.count(0) < 0.5 * len(characters):
            return True
    return False
