"""A rolling upgrade with Worker Versioning on the real dev server: sagas started on build 1
and waiting for pickup finish on build 1, pinned, while new sagas run build 2, whose saga
calls its activities in another order (code that would break build 1's histories)."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from order_saga.client import order_result, start_order
from order_saga.temporal import connect
from order_saga.worker_options import DEPLOYMENT_NAME
from tests.helpers import order, until
from tests.history import scheduled_activities
from tests.waits import started_and_waiting
from tests.workflows.reordered_saga import ChargesBeforeReserving
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState


async def make_current(client: Client, build_id: str) -> None:
    """`temporal worker deployment set-current-version`, once the build's workers polled."""

    async def done() -> bool:
        try:
            await client.workflow_service.set_worker_deployment_current_version(
                SetWorkerDeploymentCurrentVersionRequest(
                    namespace=client.namespace,
                    deployment_name=DEPLOYMENT_NAME,
                    build_id=build_id,
                    ignore_missing_task_queues=True,
                )
            )
        except RPCError:  # the version is not registered until its workers poll
            return False
        return True

    await until(done, seconds=60)


async def built_by(handle: WorkflowHandle[Any, Any]) -> set[str]:
    """The build ids of the workers that completed the saga's workflow tasks."""
    builds = set()
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            builds.add(event.workflow_task_completed_event_attributes.deployment_version.build_id)
    return builds


async def first_activity(handle: WorkflowHandle[Any, Any]) -> str:
    """The first step the saga scheduled (after its lookup of event subscribers)."""
    steps = await scheduled_activities(handle)
    return steps[0] if steps else ""


async def test_sagas_in_flight_finish_on_their_build_while_new_ones_run_the_next(
    dev_server, queue_prefix
) -> None:
    client = await connect(dev_server)
    waiting = [
        order(("prod-456", 1, "19.99")).model_copy(update={"handover_delay_seconds": 8})
        for _ in range(2)
    ]
    fresh = [order(("prod-456", 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})]
    async with stub_worker(client, queue_prefix, Stubs(), build_id="1"):
        await make_current(client, "1")
        old = await started_and_waiting(client, waiting, queue_prefix, seconds=30)
        async with stub_worker(
            client, queue_prefix, Stubs(), build_id="2", saga=ChargesBeforeReserving
        ):
            await make_current(client, "2")
            new = [await start_order(client, request, queue_prefix) for request in fresh]
            results = await asyncio.gather(*(order_result(h) for h in [*old, *new]))

    assert [r.status for r in results] == [SagaState.COMPLETED] * 3
    runs = {h.id: (await built_by(h), await first_activity(h)) for h in [*old, *new]}
    print("\n".join(f"{wid}: builds {b}, first activity {a}" for wid, (b, a) in runs.items()))
    assert [runs[h.id] for h in old] == [({"1"}, "reserve_inventory")] * 2
    assert [runs[h.id] for h in new] == [({"2"}, "create_payment_intent")]
