"""What one local Stripe server holds: its ledger, the idempotent answers and a request log."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

from order_saga.embedded.local_stripe import journal
from order_saga.embedded.local_stripe.answers import Json
from order_saga.embedded.local_stripe.faults import Faults
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint

REQUEST_LOG = 10_000


@dataclass
class Replay:
    fingerprint: str
    status: int
    body: Json


@dataclass
class LocalStripe:
    """State of one server: the ledger, remembered idempotent answers and a request log.

    With a state file, the ledger and the idempotent answers survive a restart, a `kill -9`
    included: the file is a journal, one line per change, appended and flushed before the
    answer leaves, so a request costs the same however much the server holds. At start the
    journal is read once and compacted to one line; a damaged one stops the start, untouched
    (`journal.read`).
    """

    ledger: Ledger = field(default_factory=Ledger)
    replays: dict[str, Replay] = field(default_factory=dict)
    # The latest requests (method, path, idempotency key), for tests and benchmarks; bounded,
    # so a server that runs for weeks does not grow with every request it answered.
    requests: deque[tuple[str, str, str | None]] = field(
        default_factory=lambda: deque(maxlen=REQUEST_LOG)
    )
    faults: Faults = field(default_factory=Faults)
    state_file: Path | None = None
    webhook: WebhookEndpoint | None = None  # where events go, signed as Stripe signs them

    def __post_init__(self) -> None:
        self._journal: IO[str] | None = None
        self.ledger.emitting = self.webhook is not None
        if self.state_file is None:
            return
        if self.state_file.exists():
            for entry in journal.read(self.state_file):
                self.ledger.load(
                    entry.get("intents", {}),
                    entry.get("refunds", {}),
                    entry.get("events", {}),
                    entry.get("disputes", {}),
                )
                for key, replay in entry.get("replays", {}).items():
                    self.replays[key] = Replay(**replay)
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.state_file.with_suffix(".tmp")
        partial.write_text(json.dumps(self._snapshot()) + "\n")
        partial.replace(self.state_file)  # atomic: a crash never leaves half a file
        self._journal = self.state_file.open("a", encoding="utf-8")

    def requests_with_key(self, key: str) -> int:
        """How many requests carried this idempotency key (tests count retries with it)."""
        return sum(1 for _, _, k in self.requests if k == key)

    def save(self, replay_key: str | None = None) -> None:
        """Append what the last request changed to the journal, if there is one."""
        touched, self.ledger.touched = self.ledger.touched, set()
        if self._journal is None:
            return
        entry: Json = {"intents": {}, "refunds": {}, "replays": {}, "events": {}, "disputes": {}}
        for kind, ident in touched:
            entry[kind][ident] = getattr(self.ledger, kind)[ident]
        if replay_key is not None:
            entry["replays"][replay_key] = asdict(self.replays[replay_key])
        self._journal.write(json.dumps(entry) + "\n")
        self._journal.flush()  # in the OS before the answer leaves: a kill -9 keeps it

    def delivered(self, event_id: str) -> None:
        """The endpoint took the event: journal that, then forget it."""
        event = self.ledger.events.get(event_id)
        if event is None:
            return
        event["pending_webhooks"] = 0
        self.ledger.touched.add(("events", event_id))
        self.save()
        del self.ledger.events[event_id]

    def close(self) -> None:
        """Close the journal."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _snapshot(self) -> Json:
        return {
            "intents": self.ledger.intents,
            "refunds": self.ledger.refunds,
            "replays": {k: asdict(v) for k, v in self.replays.items()},
            "events": self.ledger.events,
            "disputes": self.ledger.disputes,
        }
