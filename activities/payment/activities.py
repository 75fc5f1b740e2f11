"""Payment activities: the charge (create, confirm, check), the capture and the undo, each in
a module of its own, served as one class; the retry policies and timeouts that govern each
call, declared once beside them.

Every Stripe call goes through the gateway (`gateway.py`), which derives each idempotency key
from the saga's: a retried activity replays Stripe's first answer instead of charging again.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from activities.activity_call import ActivityCall, compensation_call
from activities.payment import rules
from activities.payment.capturing import CaptureActivities
from activities.payment.charging import ChargeActivities
from activities.payment.returning import NothingCaptured, ReturnRefundActivities
from activities.payment.undoing import UndoActivities
from activities.retries import step_retry


class PaymentActivities(
    ChargeActivities, CaptureActivities, UndoActivities, ReturnRefundActivities
):
    """Every payment activity, on one engine, Stripe client and breaker (`worker.py` builds it)."""


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
# A return's refund: retried through every outage; the bank's refusal (a failed refund, a
# disputed charge, more than is left) waits for a person instead.
REFUND_RETURN = ActivityCall(
    PaymentActivities.refund_return,
    service="payment",
    start_to_close_timeout=PAYMENT_TIMEOUT,
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(minutes=5),
        non_retryable_error_types=[
            "RefundFailed",
            rules.PaymentRejected.type,
            NothingCaptured.type,
            "IdempotencyConflict",
            "GatewayAuthentication",
        ],
    ),
)
