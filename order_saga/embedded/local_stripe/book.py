"""The local Stripe server's books: what every part of it keeps (intents, refunds, disputes,
events not yet delivered, what changed since the journal last wrote), an intent read as
Stripe reads it (an authorization past its hold canceled first), and the events Stripe would
send."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from order_saga.embedded.local_stripe.answers import Json, missing, new_id
from order_saga.embedded.local_stripe.index import CreationIndex

# Card networks hold an online authorization about 7 days; Stripe cancels it after that.
AUTHORIZATION_SECONDS = 7 * 24 * 3600
# How long a refund of a card whose refunds settle later stays pending.
REFUND_SETTLE_SECONDS = 30.0
# How long a merchant has to answer a dispute (its evidence's `due_by`).
EVIDENCE_SECONDS = 7 * 24 * 3600


class Book:
    """What the ledger's parts share."""

    def __init__(
        self,
        authorization_seconds: int = AUTHORIZATION_SECONDS,
        refund_settle_seconds: float = REFUND_SETTLE_SECONDS,
        evidence_seconds: int = EVIDENCE_SECONDS,
    ) -> None:
        self.authorization_seconds = authorization_seconds
        self.refund_settle_seconds = refund_settle_seconds
        self.evidence_seconds = evidence_seconds
        self.public_url = "http://127.0.0.1"  # where a customer's browser reaches this server
        self.intents: dict[str, Json] = {}
        self.refunds: dict[str, Json] = {}
        self.disputes: dict[str, Json] = {}
        # Events not yet delivered to the webhook endpoint (none kept without one).
        self.events: dict[str, Json] = {}
        self.emitting = False  # a webhook endpoint is configured
        self.on_event: Callable[[], None] | None = None  # wakes the delivery
        self.intent_index = CreationIndex(group_by="customer")
        self.refund_index = CreationIndex(group_by="payment_intent")
        self.dispute_index = CreationIndex(group_by="payment_intent")
        # Objects changed since the journal last took them: what the next entry must hold.
        self.touched: set[tuple[str, str]] = set()

    def retrieve_intent(self, intent_id: str) -> Json:
        """GET /v1/payment_intents/{id}; an authorization past its hold is canceled first."""
        intent = self.intents.get(intent_id)
        if intent is None:
            raise missing("payment_intent", intent_id)
        held_until = intent.get("capture_before")
        if intent["status"] == "requires_capture" and held_until and time.time() >= held_until:
            intent.update(
                status="canceled",
                amount_capturable=0,
                canceled_at=int(time.time()),
                cancellation_reason="automatic",
            )
            self.touched.add(("intents", intent_id))
            self.emit("payment_intent.canceled", intent)
        return intent

    def emit(self, event_type: str, obj: Json) -> None:
        """An event about `obj` as it is now, for the webhook endpoint (Stripe's shape)."""
        if not self.emitting:
            return
        event: Json = {
            "id": new_id("evt"),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": json.loads(json.dumps(obj))},  # a snapshot
        }
        self.events[event["id"]] = event
        self.touched.add(("events", event["id"]))
        if self.on_event is not None:
            self.on_event()

    def confirm_intent(self, intent_id: str, params: Json) -> Json:
        """The confirm, as `Confirming` answers it (a create with `confirm=true` runs it)."""
        raise NotImplementedError

    def refunds_of(self, intent_id: str) -> list[Json]:
        """Every refund of one PaymentIntent, as `RefundBook` settles them."""
        raise NotImplementedError

    def retrieve_charge(self, charge_id: str) -> Json:
        """The charge, as `ChargeView` shows it."""
        raise NotImplementedError

    def charged(self, intent: Json) -> None:
        """Money was taken (`DisputeBook` may open a dispute)."""
        raise NotImplementedError

    def refund_refused_by_dispute(self, intent: Json) -> None:
        """Refuse a refund of a disputed charge, as `DisputeBook` says."""
        raise NotImplementedError
