"""Injected gateway faults, from a string like `execute_then_timeout=0.2,http_500=0.1`.

Rates are probabilities per request. `http_500` and `http_429` answer before the API runs,
as a load balancer or rate limiter would, so nothing is saved under the idempotency key.
`execute_then_timeout` runs the request (and saves its answer under the key), then drops
the connection: the charge happened, the answer never arrives.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, field

KINDS = ("execute_then_timeout", "http_500", "http_429")


@dataclass
class Forced:
    kind: str
    remaining: int
    path_suffix: str


@dataclass
class Faults:
    rates: dict[str, float] = field(default_factory=dict)
    latency_ms: int = 0
    seed: int | None = None
    _forced: deque[Forced] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    @classmethod
    def parse(cls, spec: str | None) -> Faults:
        """Parse `kind=rate,...,latency_ms=N,seed=N`; an unknown key is an error naming it."""
        faults = cls()
        for part in filter(None, (p.strip() for p in (spec or "").split(","))):
            key, sep, value = part.partition("=")
            key = key.strip()
            try:
                if not sep:
                    raise ValueError("expected key=value")
                if key == "latency_ms":
                    faults.latency_ms = int(value)
                elif key == "seed":
                    faults.seed = int(value)
                    faults._random = random.Random(faults.seed)
                elif key in KINDS:
                    rate = float(value)
                    if not 0 <= rate <= 1:
                        raise ValueError("a rate is between 0 and 1")
                    faults.rates[key] = rate
                else:
                    raise ValueError(f"unknown fault; known: {', '.join(KINDS)}, latency_ms, seed")
            except ValueError as err:
                raise ValueError(f"stripe faults: {part!r}: {err}") from err
        return faults

    def force(self, kind: str, times: int = 1, *, path_suffix: str = "") -> None:
        """Script the next `times` requests whose path ends with `path_suffix` to fail so."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        with self._lock:
            self._forced.append(Forced(kind, times, path_suffix))

    def clear(self) -> None:
        """No more faults, scripted or random."""
        with self._lock:
            self._forced.clear()
            self.rates.clear()
            self.latency_ms = 0

    def draw(self, path: str) -> str | None:
        """The fault for this request, if any: scripted ones first, then the rates."""
        with self._lock:
            for forced in self._forced:
                if path.endswith(forced.path_suffix):
                    forced.remaining -= 1
                    if forced.remaining == 0:
                        self._forced.remove(forced)
                    return forced.kind
            roll = self._random.random()
        for kind in KINDS:
            rate = self.rates.get(kind, 0.0)
            if roll < rate:
                return kind
            roll -= rate
        return None
