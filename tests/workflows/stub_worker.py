"""A worker group that runs the saga (or a variant of it) over stub activities, as a
deployment runs it: the orders worker and one per service queue."""

from __future__ import annotations

from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notification.events import HAND_OVER_ACTIVITY
from activities.notification.hand_over import HandOverActivities
from activities.queues import SERVICES, queue
from order_saga.client import order_result
from order_saga.worker_group import WorkerGroup
from order_saga.worker_options import WORKFLOW_RUNNER, activates, deployment
from tests.helpers import orders_queue
from tests.workflows.stub_activities import Stubs, name_of
from workflows.customer_mail import NotifyCustomer
from workflows.event_delivery import DeliverOrderEvents
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult
from workflows.order_workflow import OrderSaga
from workflows.payment_void import VoidPaymentIntent
from workflows.placement import Placement


def stub_worker(
    env: WorkflowEnvironment | Client,
    prefix: str,
    stubs: Stubs,
    cached: int = 100,
    activities: list[object] | None = None,
    *,
    build_id: str | None = None,
    saga: type = OrderSaga,
    placement: Placement = "per-service",
) -> WorkerGroup:
    """The saga (or a variant of it) on its orders queue, the stubs on every service queue
    (and in the saga's worker: colocated all of them; in both the hand-over of events and
    mails, to the stubs' subscribers);
    with `build_id`, as that build of the Worker Deployment.

    Cached, as deployments run: uncached, a worker with two sagas in flight evicts one while
    its hand-over of events or mails (a local activity, in both placements) runs, drops its
    result, and the saga waits out its 10 s workflow task timeout (in real time, unless a
    client waits on a result). Replaying from scratch is `test_replay`'s job."""
    client = env if isinstance(env, Client) else env.client
    everything = activities or stubs.activities()
    # Colocated every step; in both the hand-over of events and mails (a test's own
    # stand-in, or the real one, to the stubs' subscribers).
    hand_over = next(
        (a for a in everything if name_of(a) == HAND_OVER_ACTIVITY),
        HandOverActivities(client, stubs.subscriber_ids).hand_over,
    )
    # The risk check runs in the saga's worker in both placements too.
    risk = next((a for a in everything if name_of(a) == "assess_risk"), None)
    own = [a for a in (hand_over, risk) if a is not None]
    steps = [a for a in everything if placement == "colocated" and a not in own]
    local = {
        "activities": [*steps, *own],
        "no_remote_activities": True,
    }
    orders = Worker(
        client,
        task_queue=orders_queue(prefix),
        workflows=[saga, VoidPaymentIntent, NotifyCustomer, DeliverOrderEvents],
        workflow_runner=WORKFLOW_RUNNER,
        max_cached_workflows=cached,
        patch_activation_callback=activates(placement),
        **local,
        **deployment(build_id),
    )
    services = [
        Worker(
            client,
            task_queue=queue(prefix, service),
            activities=everything,
            **deployment(build_id),
        )
        for service in SERVICES
        if service != "orders"
    ]
    return WorkerGroup([orders, *services])


async def run_stub_saga(
    env: WorkflowEnvironment,
    queue_prefix: str,
    stubs: Stubs,
    request: OrderRequest,
    placement: Placement = "per-service",
) -> tuple[OrderResult, WorkflowHandle[Any, Any]]:
    async with stub_worker(env, queue_prefix, stubs, placement=placement):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        return await order_result(handle), handle
