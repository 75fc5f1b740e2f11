"""Retry policies and timeouts of every step, read like configuration.

Steps follow the original design's backoff (2 s, 4 s, 8 s, then give up) and never retry a
business failure; compensations retry until they succeed.
"""

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
# Two Stripe calls, each up to the client's 20 s timeout and its SDK retries.
PAYMENT_TIMEOUT = timedelta(seconds=90)
SHIPMENT_TIMEOUT = timedelta(seconds=30)
COMPENSATION_TIMEOUT = timedelta(seconds=90)
