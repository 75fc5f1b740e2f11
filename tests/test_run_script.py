"""`./run`, the README's entry point: it sets itself up once, and says so while it does."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
# A stand-in for Python: passes the version check, makes a venv of itself, "installs".
FAKE_PYTHON = """#!/bin/sh
case "$1 $2" in
  "-m venv") mkdir -p "$3/bin" && cp "$0" "$3/bin/python" &&
             printf '#!/bin/sh\\necho "order-saga $*"\\n' > "$3/bin/order-saga" &&
             chmod +x "$3/bin/order-saga" ;;
  "-m pip") echo "$*" >> "$(dirname "$0")/../pip.log" ;;
esac
exit 0
"""


@pytest.mark.slow  # runs ./run as a process
def test_the_first_run_says_what_it_installs_and_later_runs_do_not(tmp_path: Path) -> None:
    shutil.copy(ROOT / "run", tmp_path / "run")
    (tmp_path / "pyproject.toml").write_text("")
    python = tmp_path / "fake-python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    env = {**os.environ, "PYTHON": str(python)}

    first = subprocess.run(
        ["./run", "--version"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    second = subprocess.run(
        ["./run", "--version"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )

    assert first.returncode == 0, first.stderr
    assert first.stderr.startswith("order-saga: installing the project with its dev tools")
    assert (tmp_path / ".venv" / "pip.log").read_text().count("install") == 1
    assert (second.returncode, second.stderr, second.stdout) == (0, "", "order-saga --version\n")
