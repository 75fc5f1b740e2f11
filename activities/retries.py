"""The retry shapes every service shares.

Steps follow the original design's backoff (2 s, 4 s, 8 s, then give up) and never retry a
business failure; compensations retry until they succeed.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

from activities.failures import BusinessError, OrderAlreadyCompensated
from activities.ownership import OwnedByAnotherSaga


def step_retry(*business_errors: type[BusinessError], extra: tuple[str, ...] = ()) -> RetryPolicy:
    """A forward step's policy: three quick retries, never one for a business failure."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=2),
        backoff_coefficient=2.0,
        maximum_attempts=4,
        non_retryable_error_types=[
            *(error.type for error in business_errors),
            *extra,
            OrderAlreadyCompensated.type,  # a late retry after the undo: never retried
            OwnedByAnotherSaga.type,
        ],
    )


COMPENSATION_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=0,  # unlimited: an undone step must be undone eventually
)
COMPENSATION_TIMEOUT = timedelta(seconds=90)
