"""What the client API refuses with: each refusal a type a front end can map (HTTP status,
exit code), its message what happened and what to do."""

from __future__ import annotations


class OrderError(Exception):
    """A refusal the caller can act on; the message says what happened and what to do."""


class OrderNotFound(OrderError):
    """No saga has run for that order."""


class OrderAlreadyStarted(OrderError):
    """The order already has a saga; a second one would charge twice."""


class IdempotencyKeyReused(OrderError):
    """An Idempotency-Key sent again with another request: not a retry, so refused."""


class NoWorkerAnswered(OrderError):
    """A running saga's query found no worker to answer it."""


class InvalidFilter(OrderError):
    """A list filter no saga can match, refused before asking visibility; `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class UnknownStatus(InvalidFilter):
    """An `OrderStatus` value that no saga ever has."""

    def __init__(self, message: str) -> None:
        super().__init__("status", message)


class NotWaitingForPerson(OrderError):
    """A resolve for a saga that has no failed undo waiting (or is already being retried)."""


class NotAmendable(OrderError):
    """An amendment the order cannot take: handed to the carrier, ending, refused by the
    carrier (an unserved country), or nothing to change."""


class ReturnRefused(OrderError):
    """The order has nothing (more) to return as asked, or the return cannot do that now."""


class ReturnNotFound(OrderError):
    """No such return (or not the caller's)."""
