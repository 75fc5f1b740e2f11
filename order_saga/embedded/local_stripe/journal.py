"""The local Stripe server's journal on disk: read all of it, or refuse loudly.

A crash can cut the last line short (it was never answered, so dropping it loses nothing);
any other line that does not read back is damage, and starting over it would forget answered
requests and idempotency keys, so a later retry would charge again. The server refuses to
start, naming the file and line; `repair` (a person's choice) sets the bad lines aside.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from order_saga.embedded.local_stripe.answers import Json

SECTIONS = ("intents", "refunds", "replays", "events", "disputes")
REPLAY_FIELDS = {"fingerprint", "status", "body"}


class JournalDamaged(ValueError):
    """A journal line that is not a torn last line does not read back."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(
            f"the local Stripe journal {path} is damaged at line {line}: {problem}; it was left "
            "untouched. Restore it from a backup, or run `order-saga stripe-server --state-file "
            f"{path} --repair` to set the bad lines aside (what they recorded is lost)"
        )
        self.path, self.line, self.problem = path, line, problem


@dataclass(frozen=True)
class Line:
    number: int
    raw: bytes
    entry: Json | None  # None: damaged
    problem: str = ""


def _parse(raw: bytes) -> tuple[Json | None, str]:
    """The entry on a line, or None and what is wrong with it."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, f"not UTF-8 (byte {err.start + 1})"
    try:
        entry = json.loads(text)
    except json.JSONDecodeError as err:
        return None, f"not JSON ({err.msg}, column {err.colno})"
    if not isinstance(entry, dict) or not set(entry) <= set(SECTIONS):
        return None, f"not a journal entry (an object with {', '.join(SECTIONS)})"
    for section in SECTIONS:
        objects = entry.get(section, {})
        if not isinstance(objects, dict) or not all(isinstance(v, dict) for v in objects.values()):
            return None, f"{section!r} is not an object of objects"
    for key, replay in entry.get("replays", {}).items():
        if set(replay) != REPLAY_FIELDS:
            return None, f"replay {key!r} lacks {', '.join(sorted(REPLAY_FIELDS - set(replay)))}"
    return entry, ""


def _lines(path: Path) -> Iterator[Line]:
    data = path.read_bytes()
    raw_lines = data.split(b"\n")
    torn = raw_lines.pop()  # after the last newline: empty, or a write a crash cut short
    for number, raw in enumerate(raw_lines, start=1):
        if raw.strip():
            entry, problem = _parse(raw)
            yield Line(number, raw, entry, problem)
    if torn.strip() and _parse(torn)[0] is not None:
        yield Line(len(raw_lines) + 1, torn, _parse(torn)[0])  # whole, only its newline lost


def read(path: Path) -> list[Json]:
    """Every entry, oldest first; raises JournalDamaged at the first bad line."""
    entries = []
    for line in _lines(path):
        if line.entry is None:
            raise JournalDamaged(path, line.number, line.problem)
        entries.append(line.entry)
    return entries


def repair(path: Path) -> Path | None:
    """Set the bad lines aside in a file beside the journal (each with its line number), and
    keep the good ones; returns where the bad ones went, None when there were none."""
    lines = list(_lines(path))
    bad = [line for line in lines if line.entry is None]
    if not bad:
        return None
    aside = path.with_name(f"{path.name}.rejected-{time.strftime('%Y%m%dT%H%M%S')}")
    aside.write_bytes(b"".join(b"%d\t%s\n" % (line.number, line.raw) for line in bad))
    kept = path.with_suffix(".repaired")
    kept.write_bytes(b"".join(line.raw + b"\n" for line in lines if line.entry is not None))
    kept.replace(path)
    return aside
