"""The programs as processes, for the tests that run them: the CLI, the worker, their output."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def as_at_a_terminal() -> None:
    """In the child, before it runs: Ctrl-C's default action, as a shell at a terminal gives
    it. A test run started in the background (`cmd &`, nohup) inherits SIGINT ignored, and a
    program rightly keeps ignoring it; a test of Ctrl-C must not depend on how it was run."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_worker(dev_server: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [BIN / "order-saga-worker", "--address", dev_server, *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr.decode()[-2000:]  # clean shutdown on SIGTERM


def order_saga(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "order-saga", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def read_until(
    process: subprocess.Popen[bytes], marker: str, seconds: float, stream: str = "stdout"
) -> str:
    """Collect the process's output until it holds the marker; fail at the deadline."""
    pipe = getattr(process, stream)
    assert pipe is not None
    fd = pipe.fileno()
    selector = selectors.DefaultSelector()
    selector.register(fd, selectors.EVENT_READ)
    seen, deadline = b"", time.monotonic() + seconds
    while marker.encode() not in seen and time.monotonic() < deadline:
        if selector.select(timeout=deadline - time.monotonic()):
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
    if marker.encode() not in seen:
        pytest.fail(f"no {marker!r} within {seconds}s; output so far:\n{seen.decode()}")
    return seen.decode()


def children(pid: int) -> list[int]:
    """The pids of a process's children, read from /proc (a thread, or the process itself,
    may end meanwhile: then it has none; a process being reaped answers ESRCH rather than
    ENOENT)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def banner_key(banner: str, role: str) -> dict[str, str]:
    """The Authorization header of the key a dev stack printed for `role` (Storefront,
    Operator)."""
    found = re.search(rf"^{role} key\s+(osk_\S+)$", banner, re.MULTILINE)
    assert found, banner
    return {"Authorization": f"Bearer {found.group(1)}"}
