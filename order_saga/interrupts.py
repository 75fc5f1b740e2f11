"""Ctrl-C while the program loads its modules."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType


def _quit(signum: int, frame: FrameType | None) -> None:
    os._exit(130)


@contextlib.contextmanager
def quitting_on_interrupt() -> Iterator[None]:
    """While modules load, a Ctrl-C ends the program at once, 130.

    Python's own handler raises KeyboardInterrupt in whatever code runs, and while a module
    is imported that can be a callback of the import machinery (a module lock's weakref
    callback), where the exception is printed as "Exception ignored" and lost: the program
    loaded on and ran (CI caught a demo doing so once). Nothing has started while modules
    load, so there is nothing to undo.
    """
    previous = signal.signal(signal.SIGINT, _quit)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
