"""Payment activities: charge the card through Stripe in two steps, and refund it (the undo).

The PaymentIntent is created (no money moves) and its id returned to the workflow before
it is confirmed, so the refund always knows which intent to undo. Every Stripe call goes
through the gateway (`gateway.py`), which derives each idempotency key from the saga's: a
retried activity replays Stripe's first answer instead of charging again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import stripe
from sqlalchemy import Engine
from temporalio import activity

from activities.activity_call import ActivityCall, compensation_call
from activities.database import transaction
from activities.failures import OrderAlreadyCompensated, reports_failures
from activities.ownership import Owner, current_saga, skip_foreign
from activities.payment import repository, rules
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import (
    CapturePaymentInput,
    CaptureResult,
    ChargePaymentInput,
    ChargeResult,
    CreatePaymentIntentInput,
    PaymentIntentResult,
    RefundPaymentInput,
    RefundResult,
)
from activities.payment.gateway import PaymentGateway, error_body
from activities.payment.recorder import record_payment
from activities.payment.tables import PaymentStatus
from activities.retries import step_retry

Json = dict[str, Any]


class PaymentActivities:
    def __init__(
        self, engine: Engine, stripe_client: stripe.StripeClient, breaker: GatewayBreaker
    ) -> None:
        self._engine = engine
        self._gateway = PaymentGateway(stripe_client, breaker)

    @activity.defn(name="create_payment_intent")
    @reports_failures
    def create_payment_intent(self, request: CreatePaymentIntentInput) -> PaymentIntentResult:
        """Create the intent (no money moves) and store its id on the order's payment row."""
        saga = current_saga(request)
        payment = record_payment(
            self._engine, saga, request.order_id, PaymentStatus.PENDING, request=request
        )
        if payment.status == PaymentStatus.REFUNDED:
            raise OrderAlreadyCompensated(f"order {request.order_id} was refunded")
        if payment.transaction_id and payment.status != PaymentStatus.PENDING:
            return PaymentIntentResult(
                payment_id=payment.payment_id, payment_intent_id=payment.transaction_id
            )
        intent = self._gateway.create_intent(request, self._record_final(saga, request.order_id))
        payment = record_payment(
            self._engine, saga, request.order_id, PaymentStatus.PENDING, intent.id, intent.to_dict()
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
        return result.model_copy(
            update={
                "payment_id": payment.payment_id,
                "authorized_only": status == PaymentStatus.AUTHORIZED,
            }
        )

    @activity.defn(name="capture_payment")
    @reports_failures
    def capture_payment(self, request: CapturePaymentInput) -> CaptureResult:
        """Take the authorized money, once, as the carrier takes the parcel. An authorization
        that is gone (expired, cancelled) fails for good: nothing was taken."""
        saga = current_saga(request)
        intent_id = request.payment_intent_id
        intent = self._gateway.retrieve_intent(intent_id)
        if intent.status == "requires_capture":
            intent = self._gateway.capture_intent(request) or self._gateway.retrieve_intent(
                intent_id
            )
        if intent.status != "succeeded":  # captured already (an answer lost) is succeeded
            why = intent.cancellation_reason or "-"
            raise rules.CaptureFailed(
                f"PaymentIntent {intent_id} is {intent.status} ({why}): its authorization "
                "expired or was cancelled; nothing was captured"
            )
        payment = self._record(saga, request.order_id, PaymentStatus.CAPTURED, intent)
        return CaptureResult(
            payment_id=payment.payment_id,
            payment_intent_id=intent.id,
            amount=request.amount,
            currency=request.currency,
        )

    @activity.defn(name="refund_payment")
    @reports_failures
    def refund_payment(self, request: RefundPaymentInput) -> RefundResult:
        """Compensation: refund what was taken, void what is only held, cancel what neither
        took nor holds money, call nobody for nothing."""
        with transaction(self._engine) as session:
            payment = repository.get_payment(session=session, order_id=request.order_id)
            if skip_foreign(payment, current_saga(request), f"the payment of {request.order_id}"):
                return RefundResult(order_id=request.order_id, action="not_ours", took_effect=False)
            if payment is not None and payment.status == PaymentStatus.REFUNDED:
                return RefundResult(order_id=request.order_id, action="already_refunded")
            if payment is not None and payment.status == PaymentStatus.VOIDED:
                return RefundResult(order_id=request.order_id, action="already_voided")
            authorized = payment is not None and payment.status == PaymentStatus.AUTHORIZED
            intent_id = request.payment_intent_id or (payment.transaction_id if payment else None)
        if intent_id is None and request.create is not None:
            # The create's answers may all have been lost: its replay finds the intent.
            found = self._gateway.replay_create(request.create)
            intent_id = found.id if found else None
        if intent_id is None:  # the order never reached Stripe, or Stripe refused the create
            return RefundResult(
                order_id=request.order_id, action="nothing_to_refund", took_effect=False
            )
        intent = self._gateway.retrieve_intent(intent_id)
        if intent.status == "succeeded":
            refund = self._gateway.refund_once(
                intent_id, request.idempotency_key, request.person_retry
            )
            self._record_undo(request, PaymentStatus.REFUNDED, intent_id, refund.to_dict())
            return RefundResult(
                order_id=request.order_id,
                action="refunded",
                refund_id=refund.id,
                payment_intent_id=intent_id,
            )
        # An authorization (held, or gone while the row says held) is voided: given back.
        held = intent.status == "requires_capture" or (intent.status == "canceled" and authorized)
        if intent.status in rules.CANCELLABLE_INTENT_STATES:
            intent = self._gateway.cancel_intent(intent_id, request.idempotency_key)
        if held:
            self._record_undo(request, PaymentStatus.VOIDED, intent_id, intent.to_dict())
            return RefundResult(
                order_id=request.order_id, action="voided", payment_intent_id=intent_id
            )
        self._record_undo(request, PaymentStatus.FAILED, intent_id, intent.to_dict())
        return RefundResult(  # the intent never held money: cancelled so it cannot later
            order_id=request.order_id,
            action="cancelled",
            payment_intent_id=intent_id,
            took_effect=False,
        )

    def _record(
        self, saga: Owner, order_id: str, status: PaymentStatus, intent: stripe.PaymentIntent
    ) -> repository.PaymentRow:
        """What Stripe said of the intent, on the order's row."""
        return record_payment(self._engine, saga, order_id, status, intent.id, intent.to_dict())

    def _record_undo(
        self, request: RefundPaymentInput, status: PaymentStatus, intent_id: str, answer: Json
    ) -> None:
        """The undo's outcome on the row, which it creates if the create never wrote one."""
        record_payment(
            self._engine,
            current_saga(request),
            request.order_id,
            status,
            intent_id,
            answer,
            request=request.create,
        )

    def _record_final(self, saga: Owner, order_id: str) -> Callable[[stripe.StripeError], None]:
        """What a step does with a gateway failure no retry can fix: record it on the row."""

        def record(exc: stripe.StripeError) -> None:
            record_payment(
                self._engine, saga, order_id, PaymentStatus.FAILED, response=error_body(exc)
            )
            if not isinstance(exc, stripe.CardError):  # a bug or a config error, not a decline
                activity.logger.error("payment gateway refused %s: %s", order_id, exc)

        return record


PAYMENT_RETRY = step_retry(
    rules.CardDeclined,
    rules.InsufficientFunds,
    rules.ExpiredCard,
    rules.Fraudulent,
    rules.PaymentDeclined,
    rules.AuthenticationFailed,
    rules.ProcessingError,
    rules.PaymentRejected,
    extra=("IdempotencyConflict", "GatewayAuthentication"),
)
# One Stripe call: four tries (three SDK retries) of up to 20 s each, and their backoff.
PAYMENT_TIMEOUT = timedelta(seconds=90)
# Stripe forgets an idempotency key 24 hours after its first use; a charge retried after
# that would be a new charge. The charge's whole retry window stays far inside that.
PAYMENT_DEADLINE = timedelta(hours=1)

CREATE_PAYMENT_INTENT = ActivityCall(
    PaymentActivities.create_payment_intent,
    service="payment",
    start_to_close_timeout=PAYMENT_TIMEOUT,
    schedule_to_close_timeout=PAYMENT_DEADLINE,
    retry_policy=PAYMENT_RETRY,
)
CHARGE_PAYMENT = ActivityCall(
    PaymentActivities.charge_payment,
    service="payment",
    start_to_close_timeout=PAYMENT_TIMEOUT,
    schedule_to_close_timeout=PAYMENT_DEADLINE,
    retry_policy=PAYMENT_RETRY,
)
CHECK_CHARGE = ActivityCall(
    PaymentActivities.check_charge,
    service="payment",
    start_to_close_timeout=PAYMENT_TIMEOUT,
    schedule_to_close_timeout=PAYMENT_DEADLINE,
    retry_policy=PAYMENT_RETRY,
)
REFUND_PAYMENT = compensation_call(PaymentActivities.refund_payment, "payment")
CAPTURE_RETRY = step_retry(
    rules.CaptureFailed, rules.PaymentRejected, extra=("GatewayAuthentication",)
)
# Captured within the day the authorization still holds after the capture window (6 of
# its 7 days), and within the 24 hours Stripe keeps the capture's idempotency key.
CAPTURE_DEADLINE = timedelta(hours=20)
CAPTURE_PAYMENT = ActivityCall(
    PaymentActivities.capture_payment,
    service="payment",
    start_to_close_timeout=PAYMENT_TIMEOUT,
    schedule_to_close_timeout=CAPTURE_DEADLINE,
    retry_policy=CAPTURE_RETRY,
)
