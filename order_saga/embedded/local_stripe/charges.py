"""Charges as Stripe shows them, read from the PaymentIntent that made each (the intent's
`latest_charge`) and its refunds: what was captured and refunded, and, for an authorization,
the card's `capture_before`, the network's deadline for the capture."""

from __future__ import annotations

from order_saga.embedded.local_stripe.answers import Json, missing
from order_saga.embedded.local_stripe.book import Book


class ChargeView(Book):
    """Charges: a view, so nothing more is kept (or journaled) than the intents and refunds."""

    def retrieve_charge(self, charge_id: str) -> Json:
        """GET /v1/charges/{id}, as the intent and its refunds stand now."""
        intent_id = next(
            (i for i, intent in self.intents.items() if intent.get("latest_charge") == charge_id),
            None,
        )
        if intent_id is None:
            raise missing("charge", charge_id)
        intent = self.retrieve_intent(intent_id)  # an authorization past its hold lapses first
        refunded = sum(
            int(r["amount"])
            for r in self.refunds_of(intent_id)
            if r["status"] in ("succeeded", "pending")
        )
        declined = intent.get("last_payment_error") is not None
        captured = int(intent.get("amount_received") or 0)
        card: Json = {"brand": "visa", "last4": "4242", "capture_before": None}
        if intent["status"] == "requires_capture":
            card["capture_before"] = intent.get("capture_before")
        if intent.get("multicapture"):
            card["multicapture"] = {"status": intent["multicapture"]}
        return {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": captured,
            "amount_refunded": refunded,
            "captured": captured > 0,
            "disputed": bool(self.dispute_index.group(intent_id)),
            "refunded": captured > 0 and refunded >= captured,
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "payment_method": intent["payment_method"],
            "payment_method_details": {"type": "card", "card": card},
            "status": "failed" if declined else "succeeded",
            "created": intent.get("latest_charge_created", intent["created"]),
            "livemode": False,
        }
