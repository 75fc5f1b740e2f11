"""Poison never wedges a saga: an input the worker cannot decode fails the run naming the
field, and a database error reaches the history with its real message, cut to fit."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from activities.failures import MESSAGE_LIMIT, reported_failures
from activities.inventory.contracts import ReservationResult, ReserveInventoryInput
from order_saga.client import order_result
from order_saga.temporal import connect
from tests.helpers import order, order_data, orders_queue
from tests.history import scheduled_activities
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga


async def test_an_input_the_worker_cannot_decode_fails_the_run_naming_the_field(
    env, queue_prefix: str
) -> None:
    poison = order_data(order_id="poison-1")
    poison["items"][0]["quantity"] = True  # another client's JSON: not a quantity
    async with stub_worker(env, queue_prefix, Stubs()):
        handle = await env.client.start_workflow(
            "OrderSaga", poison, id="order-poison-1", task_queue=orders_queue(queue_prefix)
        )
        async with asyncio.timeout(30):  # a task failing over and over would never end
            with pytest.raises(WorkflowFailureError) as failed:
                await handle.result()
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and "items.0.quantity" in cause.message
    assert await scheduled_activities(handle) == []


async def test_a_database_error_reaches_the_history_cut_to_fit(
    dev_server: str, queue_prefix: str
) -> None:
    """On the dev server, which enforces the history's size limits."""

    @activity.defn(name="reserve_inventory")
    async def reserve_on_a_broken_database(req: ReserveInventoryInput) -> ReservationResult:
        statement = "INSERT INTO inventory_reservations VALUES " + "(?, ?, ?)" * 400_000
        with reported_failures():  # as every activity reports its failures
            raise OperationalError(statement, {}, Exception("server closed the connection"))

    request = order(("prod-456", 1, "19.99")).model_copy(update={"step_deadline_seconds": 10})
    stubs = Stubs()
    replaced = stubs.with_overrides(reserve_inventory=reserve_on_a_broken_database)
    client = await connect(dev_server)
    async with stub_worker(client, queue_prefix, stubs, activities=replaced):
        result = await order_result(
            await client.start_workflow(
                OrderSaga.run,
                request,
                id=request.workflow_id,
                task_queue=orders_queue(queue_prefix),
            )
        )
    assert (result.status, result.error_type) == (SagaState.COMPENSATED, "DatabaseError")
    assert result.error_message is not None
    assert result.error_message.startswith("OperationalError: (builtins.Exception) server closed")
    assert len(result.error_message) <= MESSAGE_LIMIT
