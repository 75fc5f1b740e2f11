"""Switching a running deployment between placements, sagas in flight, none failing.

With Worker Versioning (the README's way): each build runs one placement and sagas finish,
pinned, on the build they started on, through per-service -> colocated -> per-service.
Without it: the placement each saga began with is in its history, so a colocated worker
that replaces per-service ones finishes their sagas per service (it polls the service
queues too) while it runs new sagas colocated.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from activities.notification.webhook_activities import FIND_SUBSCRIBERS
from order_saga.client import OrderHandle, order_result, start_order
from order_saga.temporal import connect
from tests.helpers import order
from tests.history import scheduled_activities
from tests.order_saga.test_worker_versioning import built_by, make_current
from tests.waits import started_and_waiting
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.placement import COLOCATED


async def placement_of(handle: WorkflowHandle[Any, Any]) -> str:
    """What the saga's history says it runs as: the colocated patch marker, or not."""
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = event.marker_recorded_event_attributes
            if marker.marker_name == "core_patch":
                patch = json.loads(marker.details["patch-data"].payloads[0].data)
                if patch["id"] == COLOCATED:
                    return "colocated"
    return "per-service"


def waiting_orders(count: int, pickup_seconds: int) -> list[OrderRequest]:
    return [
        order(("prod-456", 1, "19.99")).model_copy(
            update={"handover_delay_seconds": pickup_seconds}
        )
        for _ in range(count)
    ]


EVERY_STEP = [
    "reserve_inventory",
    "assess_risk",
    "create_payment_intent",
    "charge_payment",
    "create_shipment",
    "capture_payment",
]
# Per service, every step but the risk check, which runs in the saga's own worker.
REMOTE_STEPS = [step for step in EVERY_STEP if step != "assess_risk"]


async def test_a_versioned_rolling_switch_finishes_each_saga_in_the_placement_it_began(
    dev_server, queue_prefix
) -> None:
    client = await connect(dev_server)
    builds = [("1", "per-service"), ("2", "colocated"), ("3", "per-service")]
    started: dict[str, list[OrderHandle]] = {}
    async with contextlib.AsyncExitStack() as stack:
        for build_id, placement in builds:
            await stack.enter_async_context(
                stub_worker(client, queue_prefix, Stubs(), build_id=build_id, placement=placement)
            )
            await make_current(client, build_id)
            if build_id == builds[-1][0]:  # the last build's: nothing left to switch from
                requests = waiting_orders(2, 0)
                started[build_id] = [await start_order(client, r, queue_prefix) for r in requests]
            else:  # still in flight, waiting for the carrier, when the next build takes over
                started[build_id] = await started_and_waiting(
                    client, waiting_orders(2, 12), queue_prefix
                )
        handles = [h for hs in started.values() for h in hs]
        results = await asyncio.gather(*(order_result(h) for h in handles))

    assert [r.status for r in results] == [SagaState.COMPLETED] * 6
    for build_id, placement in builds:
        for handle in started[build_id]:
            assert await built_by(handle) == {build_id}
            assert await placement_of(handle) == placement
            assert await scheduled_activities(handle) == EVERY_STEP


async def test_a_colocated_worker_replacing_per_service_ones_finishes_their_sagas_per_service(
    dev_server, queue_prefix
) -> None:
    # The real server: a saga cached by a worker that stopped must reach the one replacing
    # it (the time-skipping server never moves a task off the stopped worker's sticky queue).
    client = await connect(dev_server)
    async with stub_worker(client, queue_prefix, Stubs(), placement="per-service"):
        old = await started_and_waiting(client, waiting_orders(2, 10), queue_prefix)
    stubs = Stubs()
    async with stub_worker(client, queue_prefix, stubs, placement="colocated"):
        new = [await start_order(client, waiting_orders(1, 0)[0], queue_prefix)]
        results = [await order_result(h) for h in [*old, *new]]

    assert [r.status for r in results] == [SagaState.COMPLETED] * 3
    assert [await placement_of(h) for h in [*old, *new]] == [
        "per-service",
        "per-service",
        "colocated",
    ]
    # the old sagas' captures ran on the service queue, which the colocated group polls
    assert stubs.calls["capture_payment"] == 3
    for handle in old:
        assert await remote_activities(handle) == REMOTE_STEPS
    assert await remote_activities(new[0]) == []


async def remote_activities(handle: WorkflowHandle[Any, Any]) -> list[str]:
    """The activities the saga scheduled on task queues (none when it runs colocated)."""
    names = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            names.append(event.activity_task_scheduled_event_attributes.activity_type.name)
    return [name for name in names if name != FIND_SUBSCRIBERS.name]  # a lookup, not a step


async def test_a_client_in_the_colocated_workers_process_starts_sagas_eagerly(
    dev_server, queue_prefix
) -> None:
    client = await connect(dev_server)
    async with stub_worker(client, queue_prefix, Stubs(), placement="colocated"):
        request = waiting_orders(1, 0)[0]
        handle = await start_order(client, request, queue_prefix, eager=True)
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    # The start's answer carried the first workflow task: no trip through the task queue.
    assert getattr(handle, "__temporal_eagerly_started") is True
    assert await placement_of(handle) == "colocated"
