"""The charge, in two steps: the PaymentIntent is created (no money moves) and its id stored
on the order's payment row before it is confirmed, so the undo always knows which intent to
void; the confirm is where money is held, once per order (its idempotency key derives from
the saga's, so a retried activity replays Stripe's first answer)."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe
from temporalio import activity

from activities.failures import OrderAlreadyCompensated, reports_failures
from activities.ownership import Owner, current_saga
from activities.payment import rules
from activities.payment.contracts import (
    ChargePaymentInput,
    ChargeResult,
    CreatePaymentIntentInput,
    PaymentIntentResult,
)
from activities.payment.recorder import read_payment, record_payment
from activities.payment.service import PaymentService
from activities.payment.tables import PaymentStatus


class ChargeActivities(PaymentService):
    """Create the intent, confirm it, and read where a confirm waiting for 3-D Secure stands."""

    @activity.defn(name="create_payment_intent")
    @reports_failures
    def create_payment_intent(self, request: CreatePaymentIntentInput) -> PaymentIntentResult:
        """Create the intent (no money moves) and write the order's payment row with its id:
        one write, once Stripe has answered (a create whose answer is lost is replayed under
        its key, by a retry or by the undo)."""
        saga = current_saga(request)
        payment = read_payment(self._engine, saga, request.order_id)
        if payment is not None:
            if payment.status == PaymentStatus.REFUNDED:
                raise OrderAlreadyCompensated(f"order {request.order_id} was refunded")
            if payment.transaction_id and payment.status != PaymentStatus.PENDING:
                return PaymentIntentResult(
                    payment_id=payment.payment_id, payment_intent_id=payment.transaction_id
                )
        intent = self._gateway.create_intent(
            request, self._record_final(saga, request.order_id, request)
        )
        payment = record_payment(
            self._engine,
            saga,
            request.order_id,
            PaymentStatus.PENDING,
            intent.id,
            intent.to_dict(),
            request=request,
        )
        return PaymentIntentResult(payment_id=payment.payment_id, payment_intent_id=intent.id)

    @activity.defn(name="charge_payment")
    @reports_failures
    def charge_payment(self, request: ChargePaymentInput) -> ChargeResult:
        """Confirm the intent: this is where money moves, exactly once per order."""
        saga = current_saga(request)
        intent = self._gateway.confirm_intent(request, self._record_final(saga, request.order_id))
        return self._after_confirm(saga, request, intent)

    @activity.defn(name="check_charge")
    @reports_failures
    def check_charge(self, request: ChargePaymentInput) -> ChargeResult:
        """Where a confirm waiting for the customer's 3-D Secure stands now, read from Stripe
        (a webhook only says when to look): still waiting, authorized, or failed."""
        intent = self._gateway.retrieve_intent(request.payment_intent_id)
        return self._after_confirm(current_saga(request), request, intent)

    def _after_confirm(
        self, saga: Owner, request: ChargePaymentInput, intent: stripe.PaymentIntent
    ) -> ChargeResult:
        """Authorized (captured at the carrier's pickup), charged at once (an intent created
        before authorize-then-capture), waiting for the customer's authentication; anything
        else is a decline."""
        result = ChargeResult(
            payment_id="",
            payment_intent_id=intent.id,
            amount=request.amount,
            currency=request.currency,
        )
        if intent.status == "requires_action":  # the row stays Pending: nothing held yet
            action = intent.next_action
            url = action.redirect_to_url.url if action and action.redirect_to_url else None
            payment = self._record(saga, request.order_id, PaymentStatus.PENDING, intent)
            return result.model_copy(
                update={"payment_id": payment.payment_id, "authentication_url": url}
            )
        status = rules.ROW_AFTER_CONFIRM.get(intent.status, PaymentStatus.FAILED)
        payment = self._record(saga, request.order_id, status, intent)
        if status == PaymentStatus.FAILED:
            error = intent.last_payment_error
            if error is not None and error.code == "payment_intent_authentication_failure":
                raise rules.AuthenticationFailed(
                    f"the customer failed the bank's authentication of {intent.id}"
                )
            raise rules.PaymentDeclined(f"PaymentIntent {intent.id} ended {intent.status}")
        held = status == PaymentStatus.AUTHORIZED
        hold = self._gateway.hold_of(intent) if held else None
        return result.model_copy(
            update={
                "payment_id": payment.payment_id,
                "authorized_only": held,
                "capture_before": datetime.fromtimestamp(hold[0], UTC) if hold else None,
                "hold_seconds": hold[0] - hold[1] if hold else None,
                "multicapture": bool(hold and hold.multicapture),
            }
        )
