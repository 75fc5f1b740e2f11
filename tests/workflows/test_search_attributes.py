"""A saga is findable by customer, total and status from its start, at the cost of as few
visibility writes as its states need."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from order_saga.client import order_result, start_order
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue
from workflows.order_state import OrderResult, SagaState
from workflows.order_workflow import OrderSaga
from workflows.search_attributes import CUSTOMER_ID, ORDER_STATUS, ORDER_TOTAL


async def upserted(handle: WorkflowHandle[Any, Any]) -> list[dict[str, object]]:
    """Each search-attribute upsert in the history, decoded."""
    found = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            found.append(
                {k: json.loads(v.data) for k, v in fields.indexed_fields.items()}  # JSON payloads
            )
    return found


async def started_with(handle: WorkflowHandle[Any, Any]) -> dict[str, object]:
    async for event in handle.fetch_history_events():
        attributes = event.workflow_execution_started_event_attributes.search_attributes
        return {k: json.loads(v.data) for k, v in attributes.indexed_fields.items()}
    return {}


async def test_started_by_the_client_api_it_is_findable_at_once_and_upserts_once(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    sku = make_product(stock=5, price="19.99")
    request = order((sku, 2, "19.99")).model_copy(update={"handover_delay_seconds": 0})
    settings = Settings(
        stripe_api_base=stripe_server[1], queue_prefix=queue_prefix, placement=placement
    )
    async with build_worker(env.client, settings=settings, engine=engine, max_cached_workflows=0):
        handle = await start_order(env.client, request, queue_prefix)
        result: OrderResult = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    assert await started_with(handle) == {
        "CustomerId": "cust-123",
        "OrderTotal": 39.98,
        "OrderStatus": "RUNNING",
    }
    # Colocated, its placement's patch marker; then the end: no RUNNING, no AWAITING_HANDOVER.
    patches = {"per-service": [], "colocated": [{"TemporalChangeVersion": ["placement-colocated"]}]}
    assert await upserted(handle) == [*patches[placement], {"OrderStatus": "COMPLETED"}]
    described = (await handle.describe()).typed_search_attributes
    assert described.get(ORDER_STATUS) == "COMPLETED"
    assert described.get(CUSTOMER_ID) == "cust-123"
    assert described.get(ORDER_TOTAL) == 39.98


async def test_started_by_another_client_it_sets_what_the_start_lacked(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str]
) -> None:
    sku = make_product(stock=5, price="19.99")
    request = order((sku, 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})
    settings = Settings(stripe_api_base=stripe_server[1], queue_prefix=queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine, max_cached_workflows=0):
        handle = await env.client.start_workflow(  # as `temporal workflow start` would
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        await order_result(handle)

    upserts = await upserted(handle)
    assert {"CustomerId": "cust-123", "OrderTotal": 19.99, "OrderStatus": "RUNNING"} in upserts
    described = (await handle.describe()).typed_search_attributes
    assert described.get(ORDER_STATUS) == "COMPLETED"
    assert described.get(CUSTOMER_ID) == "cust-123"
