"""The retry shapes every service shares.

A business failure (a decline, no stock, a refused destination) is final at once: the saga
compensates. Anything else, an infrastructure fault (the database or the gateway gone, a
deadlock, a 5xx, a 429, an open circuit), is retried with capped exponential backoff until the
step's deadline, so an outage delays an order instead of failing it. Compensations retry
until they succeed.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from activities.failures import BusinessError, OrderAlreadyCompensated
from activities.ownership import OrderTakenByAnotherRun

# How long reserve and ship retry infrastructure faults by default (per order:
# `step_deadline_seconds`); the charge keeps its own one-hour window.
STEP_DEADLINE = timedelta(minutes=10)
# A dependency back from an outage is used again within this long.
MAX_RETRY_INTERVAL = timedelta(seconds=30)


def step_retry(*business_errors: type[BusinessError], extra: tuple[str, ...] = ()) -> RetryPolicy:
    """A forward step's policy: 2 s, 4 s, 8 s... capped at 30 s, until the step's deadline
    (its schedule-to-close timeout); never a retry for a business failure."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_interval=MAX_RETRY_INTERVAL,
        maximum_attempts=0,  # the deadline bounds the step, not a count
        non_retryable_error_types=[
            *(error.type for error in business_errors),
            *extra,
            OrderAlreadyCompensated.type,  # a late retry after the undo: never retried
            OrderTakenByAnotherRun.type,
        ],
    )


def bookkeeping_retry(*final: str) -> RetryPolicy:
    """A row's write after the sale (a return's, a dispute's): retried until the database is
    back, never for the `final` failures."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=MAX_RETRY_INTERVAL,
        non_retryable_error_types=list(final),
    )


COMPENSATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=0,  # unlimited: an undone step must be undone eventually
)
COMPENSATION_TIMEOUT = timedelta(seconds=90)
