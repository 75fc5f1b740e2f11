"""Payment service: charge the card through Stripe and refund it.

Every Stripe call carries an idempotency key derived from the workflow id, so a retried
activity replays Stripe's first answer instead of charging again.
"""

from __future__ import annotations

from typing import Any

import stripe
from sqlalchemy import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from order_saga.contracts import ChargePaymentInput, ChargeResult, RefundPaymentInput, RefundResult
from order_saga.db import payments
from order_saga.db.engine import transaction
from order_saga.db.models import PaymentStatus
from order_saga.errors import OrderAlreadyCompensated, PaymentDeclined, as_business_failure
from order_saga.gateway import classify, error_body
from order_saga.money import to_minor_units

# PaymentIntent states from which no money has moved and a cancel is still allowed.
CANCELLABLE = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
)


class PaymentActivities:
    def __init__(self, engine: Engine, stripe_client: stripe.StripeClient) -> None:
        self._engine = engine
        self._stripe = stripe_client

    @activity.defn(name="charge_payment")
    def charge_payment(self, request: ChargePaymentInput) -> ChargeResult:
        """Create the PaymentIntent and store its id before confirming: no money moves unseen."""
        with as_business_failure():
            with transaction(self._engine) as session:
                existing = payments.get_payment(session=session, order_id=request.order_id)
                if existing is not None and existing.status == PaymentStatus.REFUNDED:
                    raise OrderAlreadyCompensated(f"order {request.order_id} was refunded")
                if existing is not None and existing.status == PaymentStatus.CAPTURED:
                    return ChargeResult(
                        payment_id=existing.payment_id,
                        payment_intent_id=existing.transaction_id or "",
                        amount=existing.amount,
                        currency=request.currency,
                    )
            intent = self._call(
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
                request,
            )
            self._record(request, PaymentStatus.PENDING, intent.id, intent.to_dict())
            if intent.status != "succeeded":
                intent = self._call(
                    lambda: self._stripe.v1.payment_intents.confirm(
                        intent.id,
                        options={"idempotency_key": f"{request.idempotency_key}/confirm"},
                    ),
                    request,
                    intent.id,
                )
            if intent.status != "succeeded":
                self._record(request, PaymentStatus.FAILED, intent.id, intent.to_dict())
                raise PaymentDeclined(f"PaymentIntent {intent.id} ended {intent.status}")
            payment_id = self._record(request, PaymentStatus.CAPTURED, intent.id, intent.to_dict())
        return ChargeResult(
            payment_id=payment_id,
            payment_intent_id=intent.id,
            amount=request.amount,
            currency=request.currency,
        )

    @activity.defn(name="refund_payment")
    def refund_payment(self, request: RefundPaymentInput) -> RefundResult:
        """Compensation of charge_payment: refund what was taken, cancel what was not, once."""
        with transaction(self._engine) as session:
            payment = payments.get_payment(session=session, order_id=request.order_id)
            intent_id = payment.transaction_id if payment else None
            if payment is None or intent_id is None:
                return RefundResult(order_id=request.order_id, action="nothing_to_refund")
            if payment.status == PaymentStatus.REFUNDED:
                return RefundResult(order_id=request.order_id, action="already_refunded")
        try:
            intent = self._stripe.v1.payment_intents.retrieve(intent_id)
            if intent.status == "succeeded":
                refund = self._stripe.v1.refunds.create(
                    params={"payment_intent": intent_id},
                    options={"idempotency_key": f"{request.idempotency_key}/refund"},
                )
                if refund.status not in ("succeeded", "pending"):
                    raise ApplicationError(
                        f"refund {refund.id} for {intent_id} is {refund.status}",
                        type="RefundFailed",
                    )
                self._mark(request.order_id, refund.to_dict(), refunded=True)
                return RefundResult(
                    order_id=request.order_id, action="refunded", refund_id=refund.id
                )
            if intent.status in CANCELLABLE:
                intent = self._stripe.v1.payment_intents.cancel(
                    intent_id, options={"idempotency_key": f"{request.idempotency_key}/cancel"}
                )
            self._mark(request.order_id, intent.to_dict(), refunded=False)
            return RefundResult(order_id=request.order_id, action="cancelled")
        except stripe.StripeError as exc:
            # A compensation must eventually succeed: every gateway fault is retried.
            failure = classify(exc)
            raise ApplicationError(str(exc), type=failure.type) from exc

    def _call(
        self, call: Any, request: ChargePaymentInput, intent_id: str | None = None
    ) -> stripe.PaymentIntent:
        try:
            intent: stripe.PaymentIntent = call()
            return intent
        except stripe.StripeError as exc:
            failure = classify(exc)
            if failure.non_retryable:
                self._record(request, PaymentStatus.FAILED, intent_id, error_body(exc))
                activity.logger.warning("charge for %s failed: %s", request.order_id, failure)
            raise failure from exc

    def _record(
        self,
        request: ChargePaymentInput,
        status: PaymentStatus,
        intent_id: str | None,
        response: dict[str, Any],
    ) -> str:
        with transaction(self._engine) as session:
            payment = payments.record_payment(
                session=session,
                order_id=request.order_id,
                amount=request.amount,
                payment_method=request.payment_method,
                status=status,
                transaction_id=intent_id,
                gateway_response=response,
            )
            return payment.payment_id

    def _mark(self, order_id: str, response: dict[str, Any], *, refunded: bool) -> None:
        with transaction(self._engine) as session:
            payment = payments.get_payment(session=session, order_id=order_id)
            if payment is None:
                return
            if refunded:
                payments.mark_refunded(session=session, payment=payment, gateway_response=response)
            else:
                payments.record_payment(
                    session=session,
                    order_id=order_id,
                    amount=payment.amount,
                    payment_method=payment.payment_method,
                    status=PaymentStatus.FAILED,
                    transaction_id=payment.transaction_id,
                    gateway_response=response,
                )
