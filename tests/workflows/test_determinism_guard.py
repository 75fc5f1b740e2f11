"""Workflows run without the SDK's sandbox, so the lint is what keeps their code
deterministic: a clock, randomness, I/O or the environment in a module under workflows/ fails
`./run lint`, while the same line in a service passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CALLS = {
    "clock": "import datetime\n\n\ndef f() -> object:\n    return datetime.datetime.now()\n",
    "randomness": "import random\n\n\ndef f() -> float:\n    return random.random()\n",
    "environment": "import os\n\n\ndef f() -> object:\n    return os.environ.get('X')\n",
    "I/O": "import sqlmodel\n\n\ndef f() -> object:\n    return sqlmodel.Session\n",
}


def banned(source: str, path: str) -> str:
    """What the project's lint says of `source` as if it were the file at `path`."""
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "TID251", "--stdin-filename", path],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return checked.stdout if checked.returncode else ""


@pytest.mark.parametrize("call", sorted(CALLS))
def test_workflow_code_cannot_call_what_replay_would_not_repeat(call: str) -> None:
    assert "TID251" in banned(CALLS[call], "workflows/probe.py")
    assert banned(CALLS[call], "activities/probe.py") == ""  # where it belongs
