"""Refunds through the gateway: the undo's whole refund and a return's partial one, each
followed until the bank settles it. A pending refund fails the attempt (retried, reading it
again); a refund the bank refuses, at once or after pending, needs a person, whose retry
asks the bank again under a key of its own unless a refund already went through."""

from __future__ import annotations

import stripe
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.payment.gateway import PaymentGateway
from activities.payment.rules import REFUND_GOING_THROUGH

# Stripe's largest list page: an intent with more refunds than this is not an order's.
PAGE = 100


class RefundingGateway(PaymentGateway):
    """The gateway with the refunds an undo and a return ask for."""

    def refund_once(self, intent_id: str, saga_key: str, person_retry: int = 0) -> stripe.Refund:
        """Refund a succeeded intent whole, once (`person_retry` > 0: a person's retry)."""
        # Look first: the idempotency key is forgotten after 24 hours, a refund is not.
        earlier = self._refunds_of(intent_id)
        return self._settled(
            self._earlier(earlier, person_retry)
            or self._undo(
                lambda: self._v1.refunds.create(
                    params={"payment_intent": intent_id},
                    options={"idempotency_key": _key(saga_key, person_retry)},
                )
            ),
            intent_id,
        )

    def refund_part(
        self, intent_id: str, amount: int, return_key: str, person_retry: int = 0
    ) -> stripe.Refund:
        """Refund `amount` (minor units) of a succeeded intent for one return, once: the
        refund carries the return's key in its metadata, so the return's earlier refund is
        found among the order's others whatever became of the idempotency key."""
        earlier = [
            r for r in self._refunds_of(intent_id) if _metadata(r).get("return") == return_key
        ]
        return self._settled(
            self._earlier(earlier, person_retry)
            or self._undo(
                lambda: self._v1.refunds.create(
                    params={
                        "payment_intent": intent_id,
                        "amount": amount,
                        "reason": "requested_by_customer",
                        "metadata": {"return": return_key},
                    },
                    options={"idempotency_key": _key(return_key, person_retry)},
                )
            ),
            intent_id,
        )

    def fully_refunded(self, intent_id: str) -> bool:
        """Whether the refunds going through give back all the intent took."""
        intent = self.retrieve_intent(intent_id)
        going = sum(
            r.amount for r in self._refunds_of(intent_id) if r.status in REFUND_GOING_THROUGH
        )
        return going >= (intent.amount_received or 0) > 0

    def _refunds_of(self, intent_id: str) -> list[stripe.Refund]:
        page = self._undo(
            lambda: self._v1.refunds.list(params={"payment_intent": intent_id, "limit": PAGE})
        )
        return list(page.data)

    @staticmethod
    def _earlier(refunds: list[stripe.Refund], person_retry: int) -> stripe.Refund | None:
        """The refund already asked for: one going through; or, until a person retries, the
        one the bank refused (the undo's answer)."""
        going = next((r for r in refunds if r.status in REFUND_GOING_THROUGH), None)
        if going is None and not person_retry:
            going = next((r for r in refunds if r.status == "failed"), None)
        return going

    @staticmethod
    def _settled(refund: stripe.Refund, intent_id: str) -> stripe.Refund:
        """The refund if the bank took it; otherwise the failure Temporal acts on."""
        if refund.status == "pending":
            activity.logger.info("refund %s of %s pending at the bank", refund.id, intent_id)
            raise ApplicationError(
                f"refund {refund.id} of {intent_id} is pending at the bank; reading it again",
                type="RefundPending",
                category=ApplicationErrorCategory.BENIGN,  # expected: no traceback
            )
        if refund.status != "succeeded":
            activity.logger.error("refund %s of %s %s", refund.id, intent_id, refund.status)
            raise ApplicationError(
                f"refund {refund.id} of {intent_id} {refund.status}: needs a person",
                type="RefundFailed",
                non_retryable=True,  # Stripe replays the same failure for the same key
            )
        return refund


def _key(base: str, person_retry: int) -> str:
    """Each person's retry is one new request, replayed if its answer is lost."""
    return f"{base}/refund" + (f"/retry-{person_retry}" if person_retry else "")


def _metadata(refund: stripe.Refund) -> dict[str, str]:
    metadata = getattr(refund, "metadata", None)
    return dict(metadata.to_dict()) if metadata else {}
