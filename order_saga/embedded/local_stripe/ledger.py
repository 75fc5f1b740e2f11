"""What the local Stripe server knows: PaymentIntents, Refunds and Disputes, with Stripe's
rules, kept by the parts in `intents.py`, `confirming.py`, `refunds.py` and `disputes.py` on
one `Book`; the charges they made are a view over them (`charges.py`)."""

from __future__ import annotations

from order_saga.embedded.local_stripe.answers import Json
from order_saga.embedded.local_stripe.charges import ChargeView
from order_saga.embedded.local_stripe.confirming import Confirming
from order_saga.embedded.local_stripe.disputes import DisputeBook
from order_saga.embedded.local_stripe.intents import IntentBook
from order_saga.embedded.local_stripe.refunds import RefundBook


class Ledger(IntentBook, Confirming, RefundBook, ChargeView, DisputeBook):
    """PaymentIntents, Refunds and Disputes. An authorization (`capture_method=manual`,
    confirmed) is held `authorization_seconds`, then canceled as Stripe does
    (`cancellation_reason` `automatic`); `capture_before` says until when, as Stripe's charge
    does."""

    def load(
        self,
        intents: dict[str, Json],
        refunds: dict[str, Json],
        events: dict[str, Json],
        disputes: dict[str, Json] | None = None,
    ) -> None:
        """Objects read back from the journal: new ones, or newer versions of known ones; an
        event delivered since is forgotten."""
        for event in events.values():
            if event.get("pending_webhooks"):
                self.events[event["id"]] = event
            else:
                self.events.pop(event["id"], None)
        for intent in intents.values():
            self.intents[intent["id"]] = intent
            self.intent_index.add(intent)
        for refund in refunds.values():
            self.refunds[refund["id"]] = refund
            self.refund_index.add(refund)
        for dispute in (disputes or {}).values():
            self.disputes[dispute["id"]] = dispute
            self.dispute_index.add(dispute)
