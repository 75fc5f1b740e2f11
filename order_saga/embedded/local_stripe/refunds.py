"""Refunds as Stripe keeps them: at most what was received, less earlier refunds; a card
whose bank settles later answers pending and settles when read past its time; a card whose
bank refuses answers failed (every time, or the first time only)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping

from order_saga.embedded.local_stripe import cards
from order_saga.embedded.local_stripe.answers import (
    Json,
    StripeFailure,
    missing,
    new_id,
    positive_int,
)
from order_saga.embedded.local_stripe.book import Book


class RefundBook(Book):
    """Create, read and list refunds, each settled as it is read."""

    def retrieve_refund(self, refund_id: str) -> Json:
        """GET /v1/refunds/{id}; a pending refund past its time is settled first."""
        refund = self.refunds.get(refund_id)
        if refund is None:
            raise missing("refund", refund_id)
        return self._settled(refund)

    def _settled(self, refund: Json) -> Json:
        """A pending refund whose time has come, as the bank settled it."""
        settles_at = refund.get("settles_at")
        if refund["status"] == "pending" and settles_at and time.time() >= settles_at:
            outcome = refund.get("settles_as", "succeeded")
            refund["status"] = outcome
            refund["failure_reason"] = "declined" if outcome == "failed" else None
            self.touched.add(("refunds", refund["id"]))
            self.emit("refund.updated", refund)
        return refund

    def create_refund(self, params: Json) -> Json:
        """POST /v1/refunds: at most what was received, minus earlier refunds."""
        intent_id = str(params.get("payment_intent") or "")
        if not intent_id:
            raise StripeFailure(
                400,
                "invalid_request_error",
                "One of the following params should be provided for this "
                "request: payment_intent or charge.",
                code="parameter_missing",
            )
        intent = self.retrieve_intent(intent_id)
        if intent["status"] != "succeeded":
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        self.refund_refused_by_dispute(intent)
        refunded = sum(r["amount"] for r in self.refunds_of(intent_id) if r["status"] != "failed")
        available = intent["amount_received"] - refunded
        if available <= 0:
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = positive_int(params.get("amount", available), "amount")
        if amount > available:
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount "
                f"on charge ({available})",
                code="amount_too_large",
                param="amount",
            )
        method = intent["payment_method"]
        fails = method in cards.REFUND_FAILS or (
            method in cards.REFUND_FAILS_ONCE and not self.refunds_of(intent_id)
        )
        settles_as = cards.REFUND_SETTLES.get(method)
        refund: Json = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "charge": intent["latest_charge"],
            "status": "failed" if fails else "succeeded",
            "failure_reason": "declined" if fails else None,
            "reason": params.get("reason"),
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        if settles_as is not None:  # pending now, settled by the bank later
            refund.update(
                status="pending",
                settles_as=settles_as,
                settles_at=time.time() + self.refund_settle_seconds,
            )
        self.refunds[refund["id"]] = refund
        self.refund_index.add(refund)
        self.emit("refund.created", refund)
        self.emit("charge.refunded", self.retrieve_charge(intent["latest_charge"]))
        self.touched.add(("refunds", refund["id"]))
        return refund

    def settled_refunds(self) -> Mapping[str, Json]:
        """The refunds as a list shows them: each pending one past its time settled."""
        return _Settling(self)

    def refunds_of(self, intent_id: str) -> list[Json]:
        """Every refund of one PaymentIntent, oldest first."""
        return [self._settled(self.refunds[i]) for i in self.refund_index.group(intent_id)]


class _Settling(Mapping[str, Json]):
    """The ledger's refunds, settled as they are read."""

    def __init__(self, ledger: RefundBook) -> None:
        self._ledger = ledger

    def __getitem__(self, refund_id: str) -> Json:
        return self._ledger._settled(self._ledger.refunds[refund_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ledger.refunds)

    def __len__(self) -> int:
        return len(self._ledger.refunds)
