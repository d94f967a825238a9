"""The temporary files a run writes its outputs into, removed however the run ends.

An error or Ctrl-C (KeyboardInterrupt, exit code 130) unwinds through the writer, which
removes its file. SIGTERM and SIGHUP would end the process at once: while a temporary
file exists, their handler removes every one and then ends the process as the signal
does. A signal set to be ignored (nohup) stays ignored, one a caller handles stays the
caller's.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from pathlib import Path
from types import FrameType

#: The temporary files being written now.
_OPEN: set[str] = set()
#: The signals that end a run at once (SIGINT is Python's KeyboardInterrupt).
ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def temporary_file(target: Path) -> tuple[int, str]:
    """A new hidden file beside `target` (`.name.XXXX.tmp`), open for writing: its
    descriptor and path, removed if the run is killed until `forget` is called."""
    main = threading.current_thread() is threading.main_thread()
    if main:  # only the main thread sets handlers; they run in it
        for number in ENDING_SIGNALS:
            if signal.getsignal(number) == signal.SIG_DFL:
                signal.signal(number, _killed)
    # No signal between making the file and noting it.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, ENDING_SIGNALS)
    try:
        descriptor, path = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        _OPEN.add(path)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return descriptor, path


def forget(path: str) -> None:
    """`path` is renamed or removed: a signal has nothing more to remove of it."""
    _OPEN.discard(path)


def _killed(number: int, frame: FrameType | None) -> None:
    """Remove the temporary files, then end as the signal ends a process."""
    for path in list(_OPEN):
        Path(path).unlink(missing_ok=True)
    signal.signal(number, signal.SIG_DFL)
    os.kill(os.getpid(), number)
    os._exit(128 + number)  # only where the signal could not end the process at once
