"""Business failures, and the one place that turns them into final (non-retryable) errors.

Anything else an activity raises (a lost connection, a gateway 5xx) stays retryable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio.exceptions import ApplicationError


class BusinessError(Exception):
    """A failure that no retry can fix: the saga must compensate instead."""

    type: str = "BusinessError"


class OrderAlreadyCompensated(BusinessError):
    """A step arrived after its undo already ran (a late retry): it must not take effect."""

    type = "OrderAlreadyCompensated"


@contextmanager
def as_business_failure() -> Iterator[None]:
    """Report a BusinessError to Temporal as non-retryable, typed with its name."""
    try:
        yield
    except BusinessError as exc:
        raise ApplicationError(str(exc), type=exc.type, non_retryable=True) from exc
