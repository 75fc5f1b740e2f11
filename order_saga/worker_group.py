"""The workers of one process: the saga and the activities of the services it serves.

One Worker per service task queue, so inventory, payment and shipment can be deployed and
scaled on their own (`--service`), or all together in one process (the default); colocated,
the saga's own worker runs every step and the service queues only drain older sagas.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import TracebackType

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.payment.breaker import GatewayBreaker
from activities.queues import SERVICES, Service, queue
from order_saga.orders_worker import orders_worker
from order_saga.service_wiring import STEP_SERVICES, gateway_breaker, service_activities
from order_saga.settings import Settings
from order_saga.worker_options import (
    DRAIN_SLOTS,
    LOOKUP_SLOTS,
    MAIL_SLOTS,
    MAX_CONCURRENT_ACTIVITIES,
    activity_worker,
    slots_each,
)
from workflows.placement import Placement


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


def build_worker(
    client: Client,
    *,
    settings: Settings,
    engine: Engine,
    services: tuple[Service, ...] = SERVICES,
    placement: Placement | None = None,
    max_cached_workflows: int = 1000,
    breaker: GatewayBreaker | None = None,
) -> WorkerGroup:
    """One Worker per requested service's queue; the caller runs the group. Colocated, the
    orders worker runs every step itself and the service queues only drain sagas begun per
    service.

    The activity workers share one thread pool, and between them take no more activities than
    it has threads: an activity taken with no thread free would wait inside this process with
    its start-to-close timeout running (at 200 orders in flight, reservations timed out after
    30 s behind slow payment calls), where in Temporal's queue it only waits to start."""
    placement = placement or settings.placement
    executor = ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES)
    service_queues = [s for s in services if s in STEP_SERVICES]  # the thread-run ones
    colocated = placement == "colocated" and "orders" in services
    if colocated:
        slots = min(DRAIN_SLOTS, slots_each(len(service_queues) + 1))
        local_slots = MAX_CONCURRENT_ACTIVITIES - slots * len(service_queues)
        breaker = breaker or gateway_breaker(client, settings)
    else:
        slots, local_slots = slots_each(len(service_queues)), LOOKUP_SLOTS
    workers = []
    if "orders" in services:
        workers.append(
            orders_worker(
                client,
                settings=settings,
                engine=engine,
                placement=placement,
                executor=executor,
                local_slots=local_slots,
                max_cached_workflows=max_cached_workflows,
                breaker=breaker,
            )
        )
    for service in service_queues:
        activities = service_activities(
            service, client=client, settings=settings, engine=engine, breaker=breaker
        )
        workers.append(
            activity_worker(
                client,
                queue(settings.queue_prefix, service),
                activities,
                executor,
                build_id=settings.worker_build_id,
                shutdown_grace=timedelta(seconds=settings.worker_shutdown_grace_seconds),
                slots=slots,
            )
        )
    if "notification" in services:
        workers.append(
            activity_worker(
                client,
                queue(settings.queue_prefix, "notification"),
                service_activities("notification", client=client, settings=settings, engine=engine),
                None,  # coroutines on the event loop: no thread of the pool
                build_id=settings.worker_build_id,
                shutdown_grace=timedelta(seconds=settings.worker_shutdown_grace_seconds),
                slots=MAIL_SLOTS,
            )
        )
    return WorkerGroup(workers)
