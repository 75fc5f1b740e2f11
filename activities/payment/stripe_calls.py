"""Every Stripe request of the payment service, through the breaker, classified for Temporal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import stripe
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.money import to_minor_units
from activities.payment.breaker import TRANSIENT, GatewayBreaker
from activities.payment.contracts import CreatePaymentIntentInput
from activities.payment.rules import REFUND_GOING_THROUGH
from activities.payment.stripe_errors import classify

T = TypeVar("T")


def intent_params(request: CreatePaymentIntentInput) -> dict[str, object]:
    """The create call's parameters: the same every time, so its key replays its answer."""
    return {
        "amount": to_minor_units(request.amount, request.currency),
        "currency": request.currency,
        "payment_method": request.payment_method,
        # Cards only, never a redirect: there is no customer to send back.
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        "metadata": {"order_id": request.order_id, "customer_id": request.customer_id},
    }


def create_key(request: CreatePaymentIntentInput) -> str:
    """The create call's idempotency key, derived from the saga's."""
    return f"{request.idempotency_key}/create"


class StripeCalls:
    """The service's Stripe client behind its circuit breaker."""

    def __init__(self, client: stripe.StripeClient, breaker: GatewayBreaker) -> None:
        self.v1 = client.v1
        self._breaker = breaker

    def step(self, call: Callable[[], T], on_final: Callable[[stripe.StripeError], None]) -> T:
        """A forward step's call: `on_final` sees a failure no retry can fix before it is raised."""
        try:
            return self._breaker.call(call)
        except stripe.StripeError as exc:
            failure = classify(exc)
            if failure.non_retryable:
                on_final(exc)
            raise failure from exc

    def undo(self, call: Callable[[], T]) -> T:
        """A compensation's call: every fault is retried until it goes through."""
        try:
            return self._breaker.call(call)
        except stripe.StripeError as exc:
            raise ApplicationError(str(exc), type=classify(exc).type) from exc

    def create_call(self, request: CreatePaymentIntentInput) -> Callable[[], stripe.PaymentIntent]:
        """The create call, the same every time: parameters and key, so the key replays it."""
        return lambda: self.v1.payment_intents.create(
            params=intent_params(request),  # type: ignore[arg-type]
            options={"idempotency_key": create_key(request)},
        )

    def replay_create(self, request: CreatePaymentIntentInput) -> stripe.PaymentIntent | None:
        """The intent a create made even if every answer to it was lost: the same call under
        the same key returns it (or makes one now, no money moving). None when Stripe had
        refused the create, as the replay repeats."""
        try:
            return self._breaker.call(self.create_call(request))
        except TRANSIENT as exc:
            raise ApplicationError(str(exc), type=classify(exc).type) from exc
        except stripe.StripeError:
            return None

    def refund_once(self, intent_id: str, idempotency_key: str) -> stripe.Refund:
        """Refund a succeeded intent once; a refund the bank refuses needs a person."""
        # Look first: the idempotency key is forgotten after 24 hours, a refund is not.
        earlier = self.undo(lambda: self.v1.refunds.list(params={"payment_intent": intent_id}))
        refund = next(
            (r for r in earlier.data if r.status in REFUND_GOING_THROUGH), None
        ) or self.undo(
            lambda: self.v1.refunds.create(
                params={"payment_intent": intent_id},
                options={"idempotency_key": idempotency_key},
            )
        )
        if refund.status not in REFUND_GOING_THROUGH:
            activity.logger.error("refund %s of %s %s", refund.id, intent_id, refund.status)
            raise ApplicationError(
                f"refund {refund.id} of {intent_id} {refund.status}: needs a person",
                type="RefundFailed",
                non_retryable=True,  # Stripe replays the same failure for the same key
            )
        return refund
