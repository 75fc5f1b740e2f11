"""What the customers, the shop and its operators do to a chaos run's orders while the
worker is killed: start them, cancel some at pickup, answer the bank's 3-D Secure, decide on
those held for review, amend some before pickup. Each call is retried through the kills."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.request
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address
from order_saga.client import (
    ClosedOrder,
    NotAmendable,
    NotWaitingForPerson,
    OrderError,
    amend_order,
    cancel_order,
    order_status,
    review_order,
    start_order,
)
from testkit.chaos_kit import retrying
from testkit.chaos_paths import SagaPath
from workflows.order_request import OrderRequest
from workflows.order_state import (
    PAYMENT_EVENT_SIGNAL,
    PaymentEvent,
    SagaState,
    SagaStatus,
    StepState,
)
from workflows.review_state import Decision


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


async def amend_before_pickup(
    client: Client, order: OrderRequest, kind: str, amended: dict[str, Decimal]
) -> None:
    """The customer, once the parcel waits for pickup: a new address, or one unit of the
    first line. An amendment whose answer was lost is found in the status; one the pickup
    beat is refused, and the order ships as it was. `amended` gets the new total."""

    async def booked() -> None:
        if (await order_status(client, order.order_id)).status != SagaState.AWAITING_HANDOVER:
            raise OrderError(f"{order.order_id} is not waiting for pickup yet")

    boston = Address(street="2 Elm St", city="Boston", zip_code="02108", country="US")
    address, lines = (boston, None) if kind == "address" else (None, [
        LineQuantity(sku=order.items[0].sku, quantity=1)
    ])  # fmt: skip

    async def amend() -> SagaStatus | ClosedOrder:
        try:
            return await amend_order(client, order.order_id, address, lines=lines, by="chaos")
        except NotAmendable:  # applied already (an answer lost), or too late: the status says
            status = await order_status(client, order.order_id)
            if not isinstance(status, SagaStatus):  # closed, and no worker back yet to tell
                raise OrderError(f"{order.order_id}: no worker to read its total yet") from None
            return status

    await retrying(booked)
    status = await retrying(amend)
    if isinstance(status, SagaStatus) and status.total is not None:
        amended[order.order_id] = status.total


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


async def start_all(
    client: Client,
    orders: Sequence[tuple[SagaPath, OrderRequest]],
    prefix: str,
    amended: dict[str, Decimal] | None = None,
) -> tuple[list[WorkflowHandle[Any, Any]], list[asyncio.Task[None]]]:
    """Start every saga, the cancels of those to be cancelled, the customers' answers to the
    bank of those asked for 3-D Secure, the operator's decisions on those held, and the
    amendments (each amended order's total into `amended`)."""
    amended = {} if amended is None else amended

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
        + [
            asyncio.create_task(amend_before_pickup(client, order, path.amend, amended))
            for path, order in orders
            if path.amend is not None
        ]
    )
    return handles, cancels
