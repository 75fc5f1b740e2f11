"""How activities report failures to Temporal: the one place that decides what is final.

A business failure (a decline, no stock) is final: the saga compensates. A database fault is
retried; its real message reaches the history, cut to fit (an SQL error quotes its statement
and parameters, which can be far larger than a history event may hold). Anything else stays
as raised, and retryable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy.exc import SQLAlchemyError
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

F = TypeVar("F", bound=Callable[..., Any])
MESSAGE_LIMIT = 2_000  # characters of an error message kept in the history


class BusinessError(Exception):
    """A failure that no retry can fix: the saga must compensate instead. `expected` ones
    (a decline, no stock) are part of the business: logged in one line, no traceback."""

    type: str = "BusinessError"
    expected: bool = True
    details: tuple[object, ...] = ()  # carried to the workflow with the failure


class OrderAlreadyCompensated(BusinessError):
    """A step arrived after its undo already ran (a late retry): it must not take effect."""

    type = "OrderAlreadyCompensated"


def cut(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """The message, shortened to `limit` characters with a mark where it was cut."""
    if len(message) <= limit:
        return message
    marker = f" … [{len(message) - limit} more characters]"
    return message[: limit - len(marker)] + marker


def expected_failure(message: str, error_type: str) -> ApplicationError:
    """A final failure the business expects (a decline, no stock): one log line, and the
    SDK's own report of it, traceback and all, only at DEBUG (a BENIGN failure)."""
    if activity.in_activity():
        activity.logger.info("%s: %s", error_type, message)
    return ApplicationError(
        message, type=error_type, non_retryable=True, category=ApplicationErrorCategory.BENIGN
    )


def reports_failures(method: F) -> F:
    """Decorate an activity so that `reported_failures` applies to the whole of it."""

    @functools.wraps(method)
    def reported(*args: Any, **kwargs: Any) -> Any:
        with reported_failures():
            return method(*args, **kwargs)

    return cast(F, reported)


@contextmanager
def reported_failures() -> Iterator[None]:
    """Report a BusinessError as final, typed with its name; a database fault as retryable,
    with its message cut to fit the history."""
    try:
        yield
    except BusinessError as exc:
        if exc.expected:
            raise expected_failure(cut(str(exc)), exc.type) from exc
        raise ApplicationError(
            cut(str(exc)), *exc.details, type=exc.type, non_retryable=True
        ) from exc
    except SQLAlchemyError as exc:
        message = cut(f"{type(exc).__name__}: {exc}")
        raise ApplicationError(message, type="DatabaseError") from None
