"""Disputes as Stripe opens and closes them in test mode: a charge of `pm_card_createDispute`
is disputed as soon as money is taken (`fraudulent`, `needs_response`, the funds withdrawn,
evidence due in 7 days); evidence whose text is `winning_evidence` or `losing_evidence` closes
it won (funds reinstated) or lost, as Stripe's test mode does. A disputed charge is not
refunded while its dispute is open or after it was lost (`charge_disputed`)."""

from __future__ import annotations

import time

from order_saga.embedded.local_stripe import cards
from order_saga.embedded.local_stripe.answers import Json, StripeFailure, missing, new_id
from order_saga.embedded.local_stripe.book import Book

OPEN = frozenset({"warning_needs_response", "warning_under_review", "needs_response",
                  "under_review"})  # fmt: skip
CLOSING = {"winning_evidence": "won", "losing_evidence": "lost"}


class DisputeBook(Book):
    """Open a dispute when a disputing card is charged; read, answer and close it."""

    def charged(self, intent: Json) -> None:
        """Money was taken: the card's holder disputes it at once if their card says so."""
        if intent["payment_method"] not in cards.DISPUTED:
            return
        dispute: Json = {
            "id": new_id("dp"),
            "object": "dispute",
            "amount": intent["amount_received"],
            "currency": intent["currency"],
            "charge": intent["latest_charge"],
            "payment_intent": intent["id"],
            "reason": "fraudulent",
            "status": "needs_response",
            "is_charge_refundable": False,
            "evidence": {"uncategorized_text": None},
            "evidence_details": {"due_by": int(time.time()) + self.evidence_seconds},
            "metadata": {},
            "created": int(time.time()),
            "livemode": False,
        }
        self.disputes[dispute["id"]] = dispute
        self.dispute_index.add(dispute)
        self.touched.add(("disputes", dispute["id"]))
        self.emit("charge.dispute.created", dispute)
        self.emit("charge.dispute.funds_withdrawn", dispute)

    def retrieve_dispute(self, dispute_id: str) -> Json:
        """GET /v1/disputes/{id}."""
        dispute = self.disputes.get(dispute_id)
        if dispute is None:
            raise missing("dispute", dispute_id)
        return dispute

    def update_dispute(self, dispute_id: str, params: Json) -> Json:
        """POST /v1/disputes/{id}: evidence for an open dispute; Stripe's test texts close it."""
        dispute = self.retrieve_dispute(dispute_id)
        if dispute["status"] not in OPEN:
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"This dispute is already closed ({dispute['status']}): its evidence can no "
                "longer be changed.",
            )
        text = (params.get("evidence") or {}).get("uncategorized_text")
        dispute["evidence"] = {"uncategorized_text": text}
        dispute["metadata"] = {**dispute["metadata"], **(params.get("metadata") or {})}
        self.touched.add(("disputes", dispute_id))
        closed = CLOSING.get(str(text))
        dispute["status"] = closed or "under_review"
        self.emit("charge.dispute.updated", dispute)
        if closed is not None:
            self.emit("charge.dispute.closed", dispute)
            if closed == "won":
                self.emit("charge.dispute.funds_reinstated", dispute)
        return dispute

    def disputes_of(self, intent_id: str) -> list[Json]:
        """Every dispute of one PaymentIntent, oldest first."""
        return [self.disputes[i] for i in self.dispute_index.group(intent_id)]

    def refund_refused_by_dispute(self, intent: Json) -> None:
        """Stripe's answer to a refund of a charge that is disputed, or was lost to one."""
        if any(
            d["status"] in OPEN or d["status"] == "lost" for d in self.disputes_of(intent["id"])
        ):
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"Charge {intent['latest_charge']} has been charged back; cannot issue a refund.",
                code="charge_disputed",
            )
