"""Retry policies and timeouts of every activity, read like configuration.

Steps follow the original design's backoff (2 s, 4 s, 8 s, then give up) and never retry a
business failure; compensations retry until they succeed.
"""

from dataclasses import dataclass
from datetime import timedelta

from temporalio.common import RetryPolicy

from order_saga.errors import STEP_BUSINESS_ERRORS


def _step_retry(step: str) -> RetryPolicy:
    return RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_attempts=4,
        non_retryable_error_types=STEP_BUSINESS_ERRORS[step],
    )


RESERVE_RETRY = _step_retry("reserve_inventory")
PAYMENT_RETRY = _step_retry("charge_payment")
SHIPMENT_RETRY = _step_retry("create_shipment")
COMPENSATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=0,  # unlimited: an undone step must be undone eventually
)

RESERVE_TIMEOUT = timedelta(seconds=30)
# One Stripe call, up to the client's 20 s timeout, with the SDK's own retries.
PAYMENT_TIMEOUT = timedelta(seconds=75)
# Stripe forgets an idempotency key 24 hours after its first use; a charge retried after
# that would be a new charge. The charge's whole retry window stays far inside that.
PAYMENT_DEADLINE = timedelta(hours=1)
SHIPMENT_TIMEOUT = timedelta(seconds=30)
COMPENSATION_TIMEOUT = timedelta(seconds=90)


@dataclass(frozen=True)
class Plan:
    timeout: timedelta
    retry: RetryPolicy
    deadline: timedelta | None = None


PLANS = {
    "reserve_inventory": Plan(RESERVE_TIMEOUT, RESERVE_RETRY),
    "create_payment_intent": Plan(PAYMENT_TIMEOUT, PAYMENT_RETRY, PAYMENT_DEADLINE),
    "charge_payment": Plan(PAYMENT_TIMEOUT, PAYMENT_RETRY, PAYMENT_DEADLINE),
    "create_shipment": Plan(SHIPMENT_TIMEOUT, SHIPMENT_RETRY),
    "release_inventory": Plan(COMPENSATION_TIMEOUT, COMPENSATION_RETRY),
    "refund_payment": Plan(COMPENSATION_TIMEOUT, COMPENSATION_RETRY),
    "cancel_shipment": Plan(COMPENSATION_TIMEOUT, COMPENSATION_RETRY),
}
