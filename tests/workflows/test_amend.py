"""Amendments before pickup: a new shipping address through the `amend` update. Before the
booking the carrier books the new address; after it the booking is moved (re-booked);
amendments racing apply one at a time; refused, naming why, once the parcel is handed over,
for a country the carrier does not serve (the booking stays), and an amendment in flight
finishes before a cancel undoes the order."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.shipment.contracts import Address
from order_saga.client import NotAmendable, amend_order, order_result, review_order, start_order
from tests.helpers import order, until
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.search_attributes import ORDER_STATUS


def to(city: str, country: str = "US") -> Address:
    return Address(street="2 Elm St", city=city, zip_code="10001", country=country)


def waiting_for_pickup() -> OrderRequest:
    request = order(("prod-456", 1, "19.99"))
    return request.model_copy(update={"handover_delay_seconds": 3600})


async def past_pickup(env: WorkflowEnvironment) -> None:
    """The test server's clock past the carrier's pickup, an hour away."""
    await env.sleep(timedelta(hours=1, minutes=1))


async def until_state(handle: WorkflowHandle[Any, Any], state: SagaState) -> None:
    async def reached() -> bool:
        attributes = (await handle.describe()).typed_search_attributes
        return attributes.get(ORDER_STATUS) == state

    await until(reached)


async def test_a_booked_shipment_is_moved_and_the_order_ships_there(env, queue_prefix) -> None:
    stubs = Stubs()
    request = waiting_for_pickup()
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        status = await amend_order(env.client, request.order_id, to("Boston"), by="cust-123")
        await past_pickup(env)
        result = await order_result(handle)

    assert stubs.shipped_to == ["Springfield", "Boston"]
    assert status.tracking_number == "1Z2"  # the moved booking's
    assert result.status == SagaState.COMPLETED and result.tracking_number == "1Z2"
    assert [(i.action, i.by) for i in result.interventions] == [("amend: ship to US", "cust-123")]


async def test_before_the_booking_the_carrier_books_the_new_address(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.review_reasons = ["new orders are held for review (the hold switch is on)"]
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_REVIEW)
        await amend_order(env.client, request.order_id, to("Boston"), by="op")
        await review_order(env.client, request.order_id, "approve", "fine", by="op")
        result = await order_result(handle)

    assert stubs.shipped_to == ["Boston"] and stubs.calls["rebook_shipment"] == 0
    assert result.status == SagaState.COMPLETED


async def test_amendments_racing_apply_one_at_a_time(env, queue_prefix) -> None:
    stubs = Stubs()
    request = waiting_for_pickup()
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        stubs.rebook_gate = asyncio.Event()
        first = asyncio.create_task(amend_order(env.client, request.order_id, to("Boston")))
        await until(lambda: asyncio.sleep(0, stubs.calls["rebook_shipment"] == 1))
        second = asyncio.create_task(amend_order(env.client, request.order_id, to("Denver")))
        stubs.rebook_gate.set()
        answers = await asyncio.gather(first, second)
        await past_pickup(env)
        result = await order_result(handle)

    assert stubs.shipped_to == ["Springfield", "Boston", "Denver"]  # one after the other
    assert [a.tracking_number for a in answers] == ["1Z2", "1Z3"]
    assert result.tracking_number == "1Z3"


async def test_refused_once_handed_over_or_where_the_carrier_does_not_go(env, queue_prefix) -> None:
    stubs = Stubs()
    request = waiting_for_pickup()
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        with pytest.raises(NotAmendable, match=r"ShipmentRejected|no carrier"):
            await amend_order(env.client, request.order_id, to("McMurdo", "AQ"))
        with pytest.raises(NotAmendable, match="already ships to that address"):
            await amend_order(env.client, request.order_id, request.shipping_address)
        await past_pickup(env)
        result = await order_result(handle)
        with pytest.raises(NotAmendable, match="can no longer be amended"):
            await amend_order(env.client, request.order_id, to("Boston"))

    assert result.status == SagaState.COMPLETED and result.tracking_number == "1Z1"
    assert stubs.shipped_to == ["Springfield"]  # the refused move changed nothing
    assert result.interventions == []


async def test_a_cancel_waits_for_the_amendment_in_flight_then_undoes_it(env, queue_prefix) -> None:
    stubs = Stubs()
    request = waiting_for_pickup()
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        stubs.rebook_gate = asyncio.Event()
        moving = asyncio.create_task(amend_order(env.client, request.order_id, to("Boston")))
        await until(lambda: asyncio.sleep(0, stubs.calls["rebook_shipment"] == 1))
        await handle.cancel(reason="changed my mind")
        stubs.rebook_gate.set()
        await moving
        result = await order_result(handle)

    assert result.status == SagaState.CANCELLED
    undo = stubs.log[stubs.log.index("rebook_shipment") :]
    assert undo[:2] == ["rebook_shipment", "cancel_shipment"]  # moved, then cancelled
