"""Payment service: charge the card through Stripe in two steps, and refund it.

The PaymentIntent is created (no money moves) and its id returned to the workflow before
it is confirmed, so the refund always knows which intent to undo. Every request carries an
idempotency key derived from the workflow id: a retried activity replays Stripe's first
answer instead of charging again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import stripe
from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from order_saga.breaker import GatewayBreaker
from order_saga.contracts import (
    ChargePaymentInput,
    ChargeResult,
    CreatePaymentIntentInput,
    PaymentIntentResult,
    RefundPaymentInput,
    RefundResult,
)
from order_saga.db import payments
from order_saga.db.engine import transaction
from order_saga.db.models import Payment, PaymentStatus
from order_saga.errors import OrderAlreadyCompensated, PaymentDeclined, as_business_failure
from order_saga.gateway import classify, error_body
from order_saga.money import to_minor_units

T = TypeVar("T")
# PaymentIntent states from which no money has moved and a cancel is still allowed.
CANCELLABLE = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
)


class PaymentActivities:
    def __init__(
        self, engine: Engine, stripe_client: stripe.StripeClient, breaker: GatewayBreaker
    ) -> None:
        self._engine = engine
        self._stripe = stripe_client
        self._breaker = breaker

    @activity.defn(name="create_payment_intent")
    def create_payment_intent(self, request: CreatePaymentIntentInput) -> PaymentIntentResult:
        """Create the intent (no money moves) and store its id on the order's payment row."""
        with as_business_failure():
            payment = self._record(request.order_id, PaymentStatus.PENDING, request=request)
            if payment.status == PaymentStatus.REFUNDED:
                raise OrderAlreadyCompensated(f"order {request.order_id} was refunded")
            if payment.transaction_id and payment.status != PaymentStatus.PENDING:
                return PaymentIntentResult(
                    payment_id=payment.payment_id, payment_intent_id=payment.transaction_id
                )
            intent = self._gateway(
                request.order_id,
                lambda: self._stripe.v1.payment_intents.create(
                    params={
                        "amount": to_minor_units(request.amount, request.currency),
                        "currency": request.currency,
                        "payment_method": request.payment_method,
                        # Cards only, never a redirect: there is no customer to send back.
                        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                        "metadata": {
                            "order_id": request.order_id,
                            "customer_id": request.customer_id,
                        },
                    },
                    options={"idempotency_key": f"{request.idempotency_key}/create"},
                ),
            )
            payment = self._record(
                request.order_id, PaymentStatus.PENDING, intent.id, intent.to_dict()
            )
        return PaymentIntentResult(payment_id=payment.payment_id, payment_intent_id=intent.id)

    @activity.defn(name="charge_payment")
    def charge_payment(self, request: ChargePaymentInput) -> ChargeResult:
        """Confirm the intent: this is where money moves, exactly once per order."""
        with as_business_failure():
            intent = self._gateway(
                request.order_id,
                lambda: self._stripe.v1.payment_intents.confirm(
                    request.payment_intent_id,
                    options={"idempotency_key": f"{request.idempotency_key}/confirm"},
                ),
            )
            if intent.status != "succeeded":
                self._record(request.order_id, PaymentStatus.FAILED, intent.id, intent.to_dict())
                raise PaymentDeclined(f"PaymentIntent {intent.id} ended {intent.status}")
            payment = self._record(
                request.order_id, PaymentStatus.CAPTURED, intent.id, intent.to_dict()
            )
        return ChargeResult(
            payment_id=payment.payment_id,
            payment_intent_id=intent.id,
            amount=request.amount,
            currency=request.currency,
        )

    @activity.defn(name="refund_payment")
    def refund_payment(self, request: RefundPaymentInput) -> RefundResult:
        """Compensation: refund what was taken, cancel what was not, call nobody for nothing."""
        with transaction(self._engine) as session:
            payment = payments.get_payment(session=session, order_id=request.order_id)
            if payment is not None and payment.status == PaymentStatus.REFUNDED:
                return RefundResult(order_id=request.order_id, action="already_refunded")
            intent_id = request.payment_intent_id or (payment.transaction_id if payment else None)
        if intent_id is None:  # the order never reached Stripe, or no intent was created
            return RefundResult(order_id=request.order_id, action="nothing_to_refund")
        intent = self._compensating(lambda: self._stripe.v1.payment_intents.retrieve(intent_id))
        if intent.status == "succeeded":
            # Look first: the idempotency key is forgotten after 24 hours, a refund is not.
            earlier = self._compensating(
                lambda: self._stripe.v1.refunds.list(params={"payment_intent": intent_id})
            )
            refund = next(
                (r for r in earlier.data if r.status in ("succeeded", "pending")), None
            ) or self._compensating(
                lambda: self._stripe.v1.refunds.create(
                    params={"payment_intent": intent_id},
                    options={"idempotency_key": f"{request.idempotency_key}/refund"},
                )
            )
            if refund.status not in ("succeeded", "pending"):
                activity.logger.error("refund %s of %s %s", refund.id, intent_id, refund.status)
                raise ApplicationError(
                    f"refund {refund.id} of {intent_id} {refund.status}: needs a person",
                    type="RefundFailed",
                    non_retryable=True,  # Stripe replays the same failure for the same key
                )
            self._record(request.order_id, PaymentStatus.REFUNDED, intent_id, refund.to_dict())
            return RefundResult(order_id=request.order_id, action="refunded", refund_id=refund.id)
        if intent.status in CANCELLABLE:
            intent = self._compensating(
                lambda: self._stripe.v1.payment_intents.cancel(
                    intent_id, options={"idempotency_key": f"{request.idempotency_key}/cancel"}
                )
            )
        self._record(request.order_id, PaymentStatus.FAILED, intent_id, intent.to_dict())
        return RefundResult(order_id=request.order_id, action="cancelled")

    def _gateway(self, order_id: str, call: Callable[[], T]) -> T:
        """A step's gateway call: business failures are recorded and final."""
        try:
            return self._breaker.call(call)
        except stripe.StripeError as exc:
            failure = classify(exc)
            if failure.non_retryable:
                self._record(order_id, PaymentStatus.FAILED, response=error_body(exc))
                if not isinstance(exc, stripe.CardError):  # a bug or a config error, not a decline
                    activity.logger.error("payment gateway refused %s: %s", order_id, exc)
            raise failure from exc

    def _compensating(self, call: Callable[[], T]) -> T:
        """A compensation's gateway call: every fault is retried until it goes through."""
        try:
            return self._breaker.call(call)
        except stripe.StripeError as exc:
            raise ApplicationError(str(exc), type=classify(exc).type) from exc

    def _record(
        self,
        order_id: str,
        status: PaymentStatus,
        intent_id: str | None = None,
        response: dict[str, Any] | None = None,
        *,
        request: CreatePaymentIntentInput | None = None,
    ) -> Payment:
        with transaction(self._engine) as session:
            return payments.record_payment(
                session=session,
                order_id=order_id,
                status=status,
                transaction_id=intent_id,
                gateway_response=response,
                new_amount=request.amount if request else None,
                new_payment_method=request.payment_method if request else None,
            )
