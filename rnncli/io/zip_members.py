"""Reading members of a zip archive (a `.pt` state_dict, a `.keras` model) within bounds.

A zip's directory may lie about sizes: every member is read in blocks and refused as soon
as it, or all members together, grow past the limit, so a zip bomb costs no memory.
"""

from __future__ import annotations

import collections
import io
import zipfile

from rnncli.errors import RnnCliError

BLOCK = 1 << 16


class BoundedZip:
    """The zip archive in `data`; at most `limit` bytes are decompressed in all."""

    def __init__(self, data: bytes, source: str, limit: int) -> None:
        self.source = source
        self.remaining = limit
        self.limit = limit
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = self.zip.namelist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise RnnCliError(f"{source}: is not a readable zip archive ({error})") from None
        twice = sorted(name for name, n in collections.Counter(self.names).items() if n > 1)
        if twice:
            raise RnnCliError(f"{source}: the archive holds {twice[0]!r} more than once")
        declared = sum(info.file_size for info in self.zip.infolist())
        if declared > limit:
            raise RnnCliError(
                f"{source}: its members unpack to {declared} bytes, more than the "
                f"{limit} a model file may hold"
            )

    def read(self, name: str, most: int | None = None) -> bytes:
        """The member `name`, decompressed, within what remains of the limit (and at
        most `most` bytes, where given)."""
        if name not in self.names:
            raise RnnCliError(f"{self.source}: the archive has no {name}")
        blocks: list[bytes] = []
        size = 0
        try:
            with self.zip.open(name) as member:
                while block := member.read(BLOCK):
                    self.remaining -= len(block)
                    size += len(block)
                    if self.remaining < 0:
                        raise RnnCliError(
                            f"{self.source}: {name} unpacks to more than the {self.limit} "
                            "bytes a model file may hold"
                        )
                    if most is not None and size > most:
                        raise RnnCliError(
                            f"{self.source}: {name} unpacks to more than {most} bytes, "
                            "the most it may hold"
                        )
                    blocks.append(block)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise RnnCliError(f"{self.source}: {name} cannot be unpacked ({error})") from None
        return b"".join(blocks)
