"""What one local Stripe server holds: its ledger, the idempotent answers and a request log."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from order_saga.embedded.local_stripe.answers import Json
from order_saga.embedded.local_stripe.faults import Faults
from order_saga.embedded.local_stripe.ledger import Ledger


@dataclass
class Replay:
    fingerprint: str
    status: int
    body: Json


@dataclass
class LocalStripe:
    """State of one server: the ledger, remembered idempotent answers and a request log.

    With a state file, the ledger and the idempotent answers survive a restart.
    """

    ledger: Ledger = field(default_factory=Ledger)
    replays: dict[str, Replay] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    state_file: Path | None = None

    def __post_init__(self) -> None:
        if self.state_file is not None and self.state_file.exists():
            saved = json.loads(self.state_file.read_text())
            self.ledger.intents, self.ledger.refunds = saved["intents"], saved["refunds"]
            self.replays = {k: Replay(**v) for k, v in saved["replays"].items()}

    def requests_with_key(self, key: str) -> int:
        """How many requests carried this idempotency key (tests count retries with it)."""
        return sum(1 for _, _, k in self.requests if k == key)

    def save(self) -> None:
        """Write the ledger and idempotent answers to the state file, if there is one."""
        if self.state_file is None:
            return
        snapshot = {
            "intents": self.ledger.intents,
            "refunds": self.ledger.refunds,
            "replays": {k: asdict(v) for k, v in self.replays.items()},
        }
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.state_file.with_suffix(".tmp")
        partial.write_text(json.dumps(snapshot))
        partial.replace(self.state_file)  # atomic: a crash never leaves half a file
