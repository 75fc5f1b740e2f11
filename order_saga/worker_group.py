"""The workers of one process: the saga and the activities of the services it serves.

One Worker per service task queue, so inventory, payment and shipment can be deployed and
scaled on their own (`--service`), or all together in one process (the default).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import PollerBehaviorAutoscaling, Worker, WorkerDeploymentConfig
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.inventory.activities import InventoryActivities
from activities.payment.activities import PaymentActivities
from activities.payment.breaker import GatewayBreaker
from activities.queues import SERVICES, Service, queue
from activities.shipment.activities import ShipmentActivities
from order_saga.metrics import BreakerGauge, runtime_of, zero_saga_counters
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from workflows.order_workflow import OrderSaga
from workflows.payment_void import VoidPaymentIntent

MAX_CONCURRENT_ACTIVITIES = 64
DEPLOYMENT_NAME = "order-saga"  # the Worker Deployment every versioned worker belongs to

# Measured here: autoscaling pollers cut p99 at 50 concurrent sagas from 3.4 s to 1.2 s.
# The resource-based tuner is left out: it halved throughput on 2 cores.
POLLERS: dict[str, Any] = {
    "workflow_task_poller_behavior": PollerBehaviorAutoscaling(),
    "activity_task_poller_behavior": PollerBehaviorAutoscaling(),
}

# The workflow passes its own imports (contracts, activity declarations, the saga helper)
# through the sandbox; pydantic is shared too, as the data converter builds its models
# inside it. Re-importing it per workflow run cost ~30% more worker CPU.
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("pydantic", "pydantic_core")
)


class WorkerGroup:
    """The workers of one process, started and stopped together."""

    def __init__(self, workers: list[Worker]) -> None:
        self.workers = workers
        self._stack = contextlib.AsyncExitStack()

    @property
    def task_queues(self) -> list[str]:
        """The queues this process polls."""
        return [w.task_queue for w in self.workers]

    async def __aenter__(self) -> WorkerGroup:
        for worker in self.workers:
            await self._stack.enter_async_context(worker)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # All at once: each lets its activities in flight finish, and the grace periods of
        # several services must not add up.
        await asyncio.gather(*(worker.shutdown() for worker in self.workers))
        await self._stack.aclose()


def service_activities(
    service: Service,
    *,
    client: Client,
    settings: Settings,
    engine: Engine,
    breaker: GatewayBreaker | None = None,
) -> list[Callable[..., Any]]:
    """The activities one service runs, wired to what they need."""
    if service == "inventory":
        inventory = InventoryActivities(engine)
        return [inventory.reserve_inventory, inventory.release_inventory]
    if service == "payment":
        breaker = breaker or GatewayBreaker(
            fail_max=settings.breaker_fail_max,
            reset_timeout=timedelta(seconds=settings.breaker_reset_seconds),
            listeners=[BreakerGauge(client)],
        )
        payments = PaymentActivities(engine, make_stripe_client(settings), breaker)
        return [
            payments.create_payment_intent,
            payments.charge_payment,
            payments.check_charge,
            payments.capture_payment,
            payments.refund_payment,
        ]
    if service == "shipment":
        shipments = ShipmentActivities(
            engine, carrier=settings.carrier, unserved_countries=settings.unserved_countries
        )
        return [shipments.create_shipment, shipments.cancel_shipment]
    return []


def deployment(build_id: str | None) -> dict[str, Any]:
    """Worker options for a version of the `order-saga` Worker Deployment, sagas PINNED to
    the build they start on; unversioned without a build id."""
    if build_id is None:
        return {}
    version = WorkerDeploymentVersion(deployment_name=DEPLOYMENT_NAME, build_id=build_id)
    config = WorkerDeploymentConfig(
        version=version,
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.PINNED,
    )
    return {"deployment_config": config}


def workflow_worker(
    client: Client,
    task_queue: str,
    workflows: list[type],
    *,
    max_cached_workflows: int = 1000,
    build_id: str | None = None,
) -> Worker:
    """A worker for workflows, with the options every workflow worker here runs with."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=workflows,
        workflow_runner=SANDBOX,
        max_cached_workflows=max_cached_workflows,
        **POLLERS,
        **deployment(build_id),
    )


def activity_worker(
    client: Client,
    task_queue: str,
    activities: list[Callable[..., Any]],
    executor: ThreadPoolExecutor,
    *,
    build_id: str | None = None,
    shutdown_grace: timedelta = timedelta(0),
    slots: int = MAX_CONCURRENT_ACTIVITIES,
) -> Worker:
    """A worker for (thread-run) activities, with the options every activity worker runs with.
    On shutdown, activities in flight get `shutdown_grace` to finish before they are cancelled.
    `slots`: how many it takes at once; never more than `executor` has threads for it."""
    return Worker(
        client,
        task_queue=task_queue,
        activities=activities,
        activity_executor=executor,
        max_concurrent_activities=slots,
        graceful_shutdown_timeout=shutdown_grace,
        **POLLERS,
        **deployment(build_id),
    )


def slots_each(activity_workers: int) -> int:
    """The activities each of a process's activity workers may take at once, when they share
    one pool of MAX_CONCURRENT_ACTIVITIES threads: between them, no more than it has."""
    return max(1, MAX_CONCURRENT_ACTIVITIES // max(1, activity_workers))


def build_worker(
    client: Client,
    *,
    settings: Settings,
    engine: Engine,
    services: tuple[Service, ...] = SERVICES,
    max_cached_workflows: int = 1000,
    breaker: GatewayBreaker | None = None,
) -> WorkerGroup:
    """One Worker per requested service's queue; the caller runs the group.

    The activity workers share one thread pool, and between them take no more activities than
    it has threads: an activity taken with no thread free would wait inside this process with
    its start-to-close timeout running (at 200 orders in flight, reservations timed out after
    30 s behind slow payment calls), where in Temporal's queue it only waits to start."""
    executor = ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES)
    slots = slots_each(len([s for s in services if s != "orders"]))
    workers = []
    for service in services:
        task_queue = queue(settings.queue_prefix, service)
        if service == "orders":
            zero_saga_counters(runtime_of(client), client.namespace, task_queue)
            workers.append(
                workflow_worker(
                    client,
                    task_queue,
                    [OrderSaga, VoidPaymentIntent],
                    max_cached_workflows=max_cached_workflows,
                    build_id=settings.worker_build_id,
                )
            )
            continue
        activities = service_activities(
            service, client=client, settings=settings, engine=engine, breaker=breaker
        )
        workers.append(
            activity_worker(
                client,
                task_queue,
                activities,
                executor,
                build_id=settings.worker_build_id,
                shutdown_grace=timedelta(seconds=settings.worker_shutdown_grace_seconds),
                slots=slots,
            )
        )
    return WorkerGroup(workers)
