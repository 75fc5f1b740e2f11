"""CPU time and peak memory of processes, read from /proc (Linux), for the benchmarks."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of a live process, all its threads, in seconds (0 when gone)."""
    try:
        fields = (PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set (VmHWM), in MB."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def _stat(pid: str) -> tuple[str, int] | None:
    try:
        text = (PROC / pid / "stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    return name, int(text.rpartition(")")[2].split()[1])


def children(parent: int, name: str) -> list[int]:
    """Child processes of `parent` whose command name is `name`."""
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            stat = _stat(entry.name)
            if stat and stat[0] == name and stat[1] == parent:
                found.append(int(entry.name))
    return found


def server_cpu_seconds(name: str) -> float:
    """CPU of a forking server (PostgreSQL), all its processes, gone ones included: its
    root's own time and its reaped children's (cutime, cstime), plus each live child's.
    Summing live processes alone loses a backend's CPU when its connection closes."""
    total = 0.0
    pids = set(named(name))
    for pid in pids:
        try:
            fields = (PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks = int(fields[11]) + int(fields[12])
        if int(fields[1]) not in pids:  # the root: add what its exited children used
            ticks += int(fields[13]) + int(fields[14])
        total += ticks / TICKS
    return total


def named(name: str) -> list[int]:
    """Every process whose command name is `name` (the PostgreSQL server's processes)."""
    return [
        int(e.name)
        for e in PROC.iterdir()
        if e.name.isdigit() and (stat := _stat(e.name)) and stat[0] == name
    ]
