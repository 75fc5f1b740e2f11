"""Pieces of a chaos run, shared by `tests/order_saga/test_chaos.py` and `python -m
benchmarks.chaos`: a worker process killed at random and restarted, calls retried through
the kills, and each saga's final business state read from Temporal. The order mix is
chaos_mix.py; what people do to the orders, chaos_actions.py."""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import EVENT_TYPES
from activities.notification.signing import new_secret
from order_saga.client import (
    OrderError,
    order_result,
)
from testkit.subscriber import Subscriber
from workflows.order_state import SagaState
from workflows.search_attributes import ORDER_STATUS

BIN = Path(sys.executable).parent


class KilledWorker:
    """`order-saga-worker` in its own process, SIGKILLed and restarted on demand."""

    def __init__(self, address: str, env: dict[str, str], log: IO[bytes]) -> None:
        self._command = [str(BIN / "order-saga-worker"), "--address", address]
        self._env, self._log = env, log
        self._process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    def start(self) -> None:
        """A new worker process."""
        self._process = subprocess.Popen(
            self._command, env=self._env, stdout=subprocess.DEVNULL, stderr=self._log
        )

    def kill(self) -> None:
        """SIGKILL: no goodbye, tasks in flight are abandoned mid-call."""
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()
            self.kills += 1

    def stop(self) -> None:
        """SIGTERM, the way a deployment stops it."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=60)


async def keep_killing(
    worker: KilledWorker, stop: asyncio.Event, rng: random.Random, every: tuple[float, float]
) -> None:
    """Kill the worker at random moments, restarting it at once, until `stop` is set."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=rng.uniform(*every))
        if not stop.is_set():
            worker.kill()
            worker.start()


async def retrying(call: Callable[[], Any], seconds: float = 300) -> Any:
    """Call again while the server or the worker is away (a kill, a restart), up to a deadline."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + seconds
    while True:
        try:
            return await call()
        except (RPCError, OrderError, RuntimeError):
            if loop.time() > give_up:
                raise
            await asyncio.sleep(0.5)  # the stack is restarting; try again shortly


async def final_state(handle: WorkflowHandle[Any, Any]) -> SagaState:
    """Wait for the saga to close, or to wait for a person (as far as it goes alone); its
    `OrderStatus` says how it ended."""

    async def settled() -> SagaState:
        description = await handle.describe()
        if description.status == WorkflowExecutionStatus.TERMINATED:
            return SagaState.TERMINATED  # stopped by an operator: its effects stay
        state = description.typed_search_attributes.get(ORDER_STATUS)
        if description.close_time is None and state != SagaState.COMPENSATION_FAILED:
            with contextlib.suppress(Exception):  # a cancelled or failed run is still an end
                await asyncio.wait_for(order_result(handle), timeout=5)
            raise RuntimeError(f"{handle.id} is still running")
        return SagaState(state or "RUNNING")

    state: SagaState = await retrying(settled, seconds=600)
    return state


@asynccontextmanager
async def subscribed(engine: Engine, hook: Subscriber, url: str) -> AsyncIterator[None]:
    """`hook` registered for every event while the block runs (then removed: the session's
    later sagas send it nothing)."""
    hook.secret = new_secret()
    with transaction(engine) as session:
        row = subscribers.add(
            session=session, url=url, events=list(EVENT_TYPES), secret=hook.secret
        )
    try:
        yield
    finally:
        with transaction(engine) as session:
            assert row.id is not None
            subscribers.remove(session=session, subscriber_id=row.id)
