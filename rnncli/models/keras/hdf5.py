"""The groups and datasets of a Keras HDF5 file, reached without leaving the file and
read within bounds.

HDF5 can make a dataset's values come from elsewhere, and h5py follows it silently: an
external link opens another file, a virtual dataset maps other datasets (or files) and
reads as its fill value where they are missing, external storage reads raw files
beside it. So a path is walked one link at a time: hard links, and soft links to
another place in this file (at most MAX_SOFT_LINKS of them), are followed; any other
link is an error naming it. A dataset is read only when it is plain data stored in
this file: contiguous, chunked or compact layout, no external storage, every byte or
chunk of it written (an unwritten dataset reads as its fill value), filters only
those built into HDF5 (gzip, shuffle, fletcher32, szip, nbit, scale-offset, lzf: no
plugin is loaded), floats; its size counted from its shape before it is read
(model_bounds.Budget).
"""

from __future__ import annotations

import math
from typing import Any

import h5py  # type: ignore[import-untyped]
import numpy as np

from rnncli.errors import RnnCliError
from rnncli.models.bounds import Budget

MAX_SOFT_LINKS = 16
#: The filters built into HDF5 and h5py, by their HDF5 id.
BUILT_IN_FILTERS = {1: "gzip", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit"} | {
    6: "scale-offset",
    32000: "lzf",
}
LAYOUTS = {h5py.h5d.CONTIGUOUS, h5py.h5d.CHUNKED, h5py.h5d.COMPACT}


class Hdf5Tree:
    """One HDF5 file, its objects reached by `get` and its datasets read by `array`."""

    def __init__(self, file: h5py.File, source: str) -> None:
        self.file, self.source = file, source
        self.budget = Budget(source)

    def error(self, path: str, message: str) -> RnnCliError:
        return RnnCliError(f"{self.source}: {path}: {message}")

    def get(self, path: str) -> Any | None:
        """The group or dataset at `path` (from the root), or None where nothing is."""
        parts = [p for p in path.split("/") if p not in ("", ".")]
        current, walked, hops = self.file["/"], "", 0
        while parts:
            part = parts.pop(0)
            if not isinstance(current, h5py.Group):
                return None
            try:
                link = current.get(part, getlink=True)
            except (KeyError, ValueError, OSError, TypeError):
                return None
            walked = f"{walked}/{part}"
            if link is None:
                return None
            if isinstance(link, h5py.SoftLink):
                hops += 1
                if hops > MAX_SOFT_LINKS:
                    raise self.error(walked, f"more than {MAX_SOFT_LINKS} soft links in a row")
                target = [p for p in str(link.path).split("/") if p not in ("", ".")]
                if str(link.path).startswith("/"):
                    current, walked = self.file["/"], ""
                else:
                    walked = walked.rsplit("/", 1)[0]
                parts = target + parts
                continue
            if isinstance(link, h5py.ExternalLink):
                raise self.error(
                    walked,
                    f"is an external link to {link.path} in {link.filename!r}; only data "
                    "stored in this file is read",
                )
            if not isinstance(link, h5py.HardLink):
                raise self.error(walked, "is a link of a kind that is not read")
            try:
                current = current.get(part)
            except (KeyError, ValueError, OSError) as error:
                raise self.error(walked, f"cannot be read ({error})") from None
        return current

    def group(self, path: str) -> h5py.Group | None:
        found = self.get(path)
        return found if isinstance(found, h5py.Group) else None

    def keys(self, group: h5py.Group) -> list[str]:
        try:
            return [str(key) for key in group]
        except (OSError, ValueError, KeyError) as error:
            raise self.error(group.name, f"cannot be listed ({error})") from None

    def array(self, path: str) -> Any:
        """The values of the dataset at `path`, checked as the module says."""
        path = "/" + path.lstrip("/")
        dataset = self.get(path)
        if not isinstance(dataset, h5py.Dataset):
            raise self.error(path, "is not a dataset" if dataset is not None else "is missing")
        try:
            return self._read(dataset, path)
        except (OSError, ValueError, TypeError, RuntimeError, OverflowError) as error:
            raise self.error(path, f"cannot be read ({error})") from None

    def _read(self, dataset: h5py.Dataset, path: str) -> Any:
        plist = dataset.id.get_create_plist()
        layout = plist.get_layout()
        if dataset.is_virtual or layout == h5py.h5d.VIRTUAL:
            raise self.error(
                path, "is a virtual dataset (its values come from elsewhere); not read"
            )
        if layout not in LAYOUTS:
            raise self.error(path, f"has a storage layout ({layout}) that is not read")
        if plist.get_external_count():
            raise self.error(path, "keeps its values in external files; not read")
        for i in range(plist.get_nfilters()):
            code = plist.get_filter(i)[0]
            if code not in BUILT_IN_FILTERS:
                raise self.error(
                    path, f"is written with the HDF5 filter {code}, not one built into HDF5"
                )
        if dataset.shape is None:
            raise self.error(path, "holds no values (an empty dataspace)")
        if dataset.dtype.kind != "f":
            raise self.error(path, f"holds {dataset.dtype} values; weights must be floats")
        self.budget.take(list(dataset.shape), f"{self.source}: {path}")
        if dataset.size and not self._written(dataset, layout):
            raise self.error(path, "has values never written (it would read as its fill value)")
        return np.asarray(dataset[()])

    @staticmethod
    def _written(dataset: h5py.Dataset, layout: int) -> bool:
        if layout == h5py.h5d.CONTIGUOUS:
            return bool(dataset.id.get_storage_size() == dataset.nbytes)
        if layout == h5py.h5d.CHUNKED:
            chunks = math.prod(
                -(-n // c) for n, c in zip(dataset.shape, dataset.chunks, strict=True)
            )
            return bool(dataset.id.get_num_chunks() == chunks)
        return True
