"""Pieces of a chaos run, shared by `tests/order_saga/test_chaos.py` and `python -m
benchmarks.chaos`: a worker process killed at random and restarted, cancels during the pickup
wait, the bank's 3-D Secure answered, and each saga's final business state read from
Temporal. The order mix is chaos_mix.py."""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import EVENT_TYPES
from activities.notification.signing import new_secret
from order_saga.client import (
    NotWaitingForPerson,
    OrderError,
    cancel_order,
    order_result,
    order_status,
    review_order,
    start_order,
)
from testkit.chaos_mix import SagaPath
from testkit.subscriber import Subscriber
from workflows.order_request import OrderRequest
from workflows.order_state import PAYMENT_EVENT_SIGNAL, PaymentEvent, SagaState, StepState
from workflows.review_state import Decision
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


async def cancel_at_pickup(
    client: Client, order: OrderRequest, *, after_capture: bool = False
) -> None:
    """Wait for the shipment to be booked (and the payment captured, if asked), then cancel
    the order."""

    async def booked() -> None:
        status = await order_status(client, order.order_id)
        if status.status != SagaState.AWAITING_HANDOVER:
            raise OrderError(f"{order.order_id} is not waiting for pickup yet")
        capture = next((s for s in status.steps or [] if s.name == "capture_payment"), None)
        if after_capture and (capture is None or capture.state != StepState.DONE):
            raise OrderError(f"{order.order_id} is not captured yet")

    await retrying(booked)
    await retrying(lambda: cancel_order(client, order.order_id, "chaos: cancelled", wait=False))


async def decide(client: Client, order: OrderRequest, decision: Decision) -> None:
    """An operator, once the risk rules hold the order: approve or decline it. A decision
    whose answer was lost is found in the status (a second one is refused)."""

    async def held() -> None:
        status = await order_status(client, order.order_id)
        if status.status != SagaState.AWAITING_REVIEW:
            raise OrderError(f"{order.order_id} is not held for review yet")

    async def decided() -> None:
        try:
            await review_order(client, order.order_id, decision, "chaos", by="chaos")
        except NotWaitingForPerson:
            status = await order_status(client, order.order_id)
            review = getattr(status, "review", None)
            if review is None or review.decision != decision:
                raise

    await retrying(held)
    await retrying(decided)


async def answer_the_bank(client: Client, order: OrderRequest, answer: str) -> None:
    """The customer, once the saga asks for 3-D Secure: answer the bank's page, then the
    webhook Stripe would send (a signal; lost when the stack is away, as webhooks can be:
    the saga's own re-read of the intent then carries it on)."""

    async def asked() -> str:
        status = await order_status(client, order.order_id)
        url = getattr(status, "authentication_url", None)
        if status.status != SagaState.AWAITING_AUTHENTICATION or not url:
            raise OrderError(f"{order.order_id} does not ask for authentication yet")
        return str(url)

    url = await retrying(asked)
    if answer == "abandon":  # the customer never comes back: the order is cancelled
        await retrying(lambda: cancel_order(client, order.order_id, "chaos: abandoned", wait=False))
        return
    await asyncio.to_thread(_post, f"{url}/{answer}")
    event = PaymentEvent(event_id=f"evt_{order.order_id}", type="payment_intent.updated")
    with contextlib.suppress(RPCError):
        await client.get_workflow_handle(order.workflow_id).signal(PAYMENT_EVENT_SIGNAL, event)


def _post(url: str) -> None:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30):
        pass


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


async def start_all(
    client: Client, orders: Sequence[tuple[SagaPath, OrderRequest]], prefix: str
) -> tuple[list[WorkflowHandle[Any, Any]], list[asyncio.Task[None]]]:
    """Start every saga, the cancels of those to be cancelled, the customers' answers to the
    bank of those asked for 3-D Secure, and the operator's decisions on those held."""

    async def start(order: OrderRequest) -> WorkflowHandle[Any, Any]:
        try:
            return await start_order(client, order, prefix)
        except OrderError:  # started already: the answer to an earlier try was lost
            return client.get_workflow_handle(order.workflow_id)

    handles = [await retrying(lambda o=o: start(o)) for _, o in orders]
    cancels = (
        [
            asyncio.create_task(cancel_at_pickup(client, order, after_capture=path.capture_first))
            for path, order in orders
            if path.cancel
        ]
        + [
            asyncio.create_task(answer_the_bank(client, order, path.authenticate))
            for path, order in orders
            if path.authenticate is not None
        ]
        + [
            asyncio.create_task(
                decide(client, order, "approve" if path.review == "approve" else "decline")
            )
            for path, order in orders
            if path.review is not None
        ]
    )
    return handles, cancels


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
