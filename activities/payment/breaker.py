"""The payment gateway's circuit breaker: pybreaker, on a clock that can be swapped.

It opens after `fail_max` consecutive transient failures and half-opens after
`reset_timeout`. While open, calls fail at once with a retryable ApplicationError whose
`next_retry_delay` is the time left, so Temporal waits instead of hammering the gateway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pybreaker
import stripe
from temporalio.exceptions import ApplicationError

log = logging.getLogger("order_saga.breaker")
T = TypeVar("T")
Clock = Callable[[], datetime]
TRANSIENT = (stripe.RateLimitError, stripe.APIConnectionError, stripe.APIError)


def wall_clock() -> datetime:
    """The default clock: real UTC time."""
    return datetime.now(UTC)


class ClockStorage(pybreaker.CircuitMemoryStorage):
    """Keeps the opening time on `clock`, so the breaker follows it instead of the wall.

    pybreaker compares the wall clock with `opened_at`; reporting `opened_at` as
    "now minus the time elapsed on our clock" makes that comparison use our clock.
    """

    def __init__(self, clock: Clock) -> None:
        super().__init__(pybreaker.STATE_CLOSED)
        self._clock = clock
        self._opened_on_clock: datetime | None = None

    @property
    def opened_at(self) -> datetime | None:
        """When it opened, expressed on the wall clock pybreaker compares with."""
        if self._opened_on_clock is None:
            return None
        return wall_clock() - (self._clock() - self._opened_on_clock)

    @opened_at.setter
    def opened_at(self, _wall_time: datetime) -> None:
        self._opened_on_clock = self._clock()

    def time_open(self) -> timedelta:
        """How long the circuit has been open, on our clock."""
        return (
            timedelta(0)
            if self._opened_on_clock is None
            else (self._clock() - self._opened_on_clock)
        )


class _StateLog(pybreaker.CircuitBreakerListener):
    def state_change(self, cb: pybreaker.CircuitBreaker, old: Any, new: Any) -> None:
        old_name = getattr(old, "name", old)
        level = logging.WARNING if new.name == pybreaker.STATE_OPEN else logging.INFO
        log.log(level, "payment gateway circuit %s -> %s", old_name, new.name)


class GatewayBreaker:
    """Guards every call to the payment gateway made by one worker process."""

    def __init__(
        self,
        *,
        fail_max: int = 5,
        reset_timeout: timedelta = timedelta(seconds=30),
        clock: Clock = wall_clock,
        listeners: list[pybreaker.CircuitBreakerListener] | None = None,
    ) -> None:
        self._storage = ClockStorage(clock)
        self._reset_timeout = reset_timeout
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout.total_seconds(),
            # Declines and bad requests say nothing about the gateway's health.
            exclude=[lambda exc: not isinstance(exc, TRANSIENT)],
            listeners=[_StateLog(), *(listeners or [])],
            state_storage=self._storage,
            name="payment-gateway",
            throw_new_error_on_trip=False,  # the call that trips it reports its own error
        )

    @property
    def state(self) -> str:
        """closed, open or half-open."""
        return str(self._breaker.current_state)

    def time_until_half_open(self) -> timedelta:
        """What a retry should wait for; zero once half-open is due."""
        return max(self._reset_timeout - self._storage.time_open(), timedelta(0))

    def call(self, func: Callable[[], T]) -> T:
        """Run `func` through the breaker; `calling()` does not hold its lock meanwhile."""
        try:
            with self._breaker.calling():
                return func()
        except pybreaker.CircuitBreakerError as err:
            wait = self.time_until_half_open()
            raise ApplicationError(
                f"payment gateway circuit is open; next try in {wait.total_seconds():.0f}s",
                type="GatewayCircuitOpen",
                next_retry_delay=max(wait, timedelta(seconds=1)),
            ) from err
