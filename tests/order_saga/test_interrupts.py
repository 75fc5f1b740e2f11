"""A Ctrl-C while modules load stops the program even where Python would lose it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import clean_env

# The import machinery calls back like this when a module's lock is released; Python prints
# an exception raised inside such a callback as "Exception ignored" and carries on.
PROGRAM = """
import os, signal, weakref
from order_saga.interrupts import quitting_on_interrupt

class ModuleLock: ...

def on_release(_: object) -> None:
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands inside the callback

{guard}
    lock = ModuleLock()
    ref = weakref.ref(lock, on_release)
    del lock
print("loaded on and ran")
"""


@pytest.mark.parametrize(
    ("guard", "code", "out"),
    [
        ("if True:", 0, "loaded on and ran\n"),  # Python's own handler: the Ctrl-C is lost
        ("with quitting_on_interrupt():", 130, ""),
    ],
    ids=["python", "guarded"],
)
def test_a_ctrl_c_inside_an_import_callback_stops_a_loading_program(
    guard: str, code: int, out: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(guard=guard)],
        env=clean_env(), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (code, out)
    if code == 130:
        assert done.stderr == ""  # quietly, as a Ctrl-C at any later moment
