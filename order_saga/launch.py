"""The console entry points, kept small: a Ctrl-C while the program is still loading ends it
with exit code 130 and nothing on stderr, as a Ctrl-C at any later moment does; a SIGTERM
then (a deploy stopping a worker that has not started yet) ends it cleanly, with 0."""

from __future__ import annotations

import signal
from types import FrameType

from order_saga.interrupts import quitting_on_interrupt


def cli() -> None:
    """`order-saga`."""
    with quitting_on_interrupt():
        from order_saga.cli import main
    main()


def _stop_before_start(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # nothing runs yet: nothing to drain


def worker() -> None:
    """`order-saga-worker`; once it serves, its own handler drains on SIGTERM."""
    signal.signal(signal.SIGTERM, _stop_before_start)
    with quitting_on_interrupt():
        from order_saga.worker_main import main
    main()
