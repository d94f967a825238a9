"""A progress line on stderr for long runs on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_on_stderr() -> Iterator[Callable[[int], None]]:
    """A progress line on stderr for a run that takes over a second, on a terminal only."""
    if not sys.stderr.isatty():
        yield lambda steps: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    started = time.monotonic()
    display = Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,} steps"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = display.add_task("forward", total=None)
    shown = False

    def update(steps: int) -> None:
        nonlocal shown
        if not shown and time.monotonic() - started > 1.0:
            display.start()
            shown = True
        display.update(task, completed=steps)

    try:
        yield update
    finally:
        if shown:
            display.stop()
