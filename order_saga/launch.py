"""The console entry points, kept small: a Ctrl-C while the program is still loading ends it
with exit code 130 and nothing on stderr, as a Ctrl-C at any later moment does."""

from __future__ import annotations

import os


def cli() -> None:
    """`order-saga`."""
    try:
        from order_saga.cli import main
    except KeyboardInterrupt:
        os._exit(130)
    main()


def worker() -> None:
    """`order-saga-worker`."""
    try:
        from order_saga.worker_main import main
    except KeyboardInterrupt:
        os._exit(130)
    main()
