"""The workers of one process: the saga and the activities of the services it serves.

One Worker per service task queue, so inventory, payment and shipment can be deployed and
scaled on their own (`--service`), or all together in one process (the default); colocated,
the saga's own worker runs every step and the service queues only drain older sagas.
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
from temporalio.worker import Worker

from activities.notification.hand_over import HandOverActivities
from activities.notification.subscribers import ActiveSubscribers
from activities.notification.webhook_activities import WebhookActivities
from activities.payment.breaker import GatewayBreaker
from activities.payment.disputing import DisputeActivities
from activities.queues import SERVICES, Service, queue
from activities.returns.activities import ReturnActivities
from activities.risk.activities import RiskActivities
from order_saga.metrics import runtime_of, zero_saga_counters
from order_saga.service_wiring import STEP_SERVICES, gateway_breaker, service_activities
from order_saga.settings import Settings
from order_saga.worker_options import (
    DRAIN_SLOTS,
    LOOKUP_SLOTS,
    MAIL_SLOTS,
    MAX_CONCURRENT_ACTIVITIES,
    activity_worker,
    slots_each,
    workflow_worker,
)
from workflows.customer_mail import NotifyCustomer
from workflows.event_delivery import DeliverOrderEvents
from workflows.order_dispute import OrderDispute, UpgradingOrderDispute
from workflows.order_return import OrderReturn, UpgradingOrderReturn
from workflows.order_workflow import OrderSaga
from workflows.payment_void import VoidPaymentIntent
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


def orders_worker(
    client: Client,
    *,
    settings: Settings,
    engine: Engine,
    placement: Placement,
    executor: ThreadPoolExecutor,
    local_slots: int,
    max_cached_workflows: int = 1000,
    breaker: GatewayBreaker | None = None,
) -> Worker:
    """The saga's worker: per service it only decides; colocated it also runs every step.
    In both it hands the saga's events and mails over itself, as a local activity: one
    marker in the saga's history, where a child workflow or a signal cost a workflow task."""
    task_queue = queue(settings.queue_prefix, "orders")
    zero_saga_counters(runtime_of(client), client.namespace, task_queue)
    steps: list[Callable[..., Any]] = []
    if placement == "colocated":
        breaker = breaker or gateway_breaker(client, settings)
        steps = [
            activity
            for service in STEP_SERVICES
            for activity in service_activities(
                service, client=client, settings=settings, engine=engine, breaker=breaker
            )
        ]
    lookup = ActiveSubscribers(engine)
    # The saga's hand-over of its events and mails, and a dispute's lookup of subscribers.
    steps.append(HandOverActivities(client, lookup.ids).hand_over)
    steps.append(WebhookActivities(engine, lookup=lookup).find_subscribers)
    risk = RiskActivities(engine, timedelta(seconds=settings.review_within_seconds))
    returns, disputes = ReturnActivities(engine), DisputeActivities(engine)  # rare: local
    steps += [risk.assess_risk, returns.open_return, returns.record_return]
    steps += [disputes.record_dispute, disputes.remind_dispute]
    versioned = settings.worker_build_id is not None
    return workflow_worker(
        client,
        task_queue,
        [
            OrderSaga,
            VoidPaymentIntent,
            NotifyCustomer,
            DeliverOrderEvents,
            UpgradingOrderReturn if versioned else OrderReturn,
            UpgradingOrderDispute if versioned else OrderDispute,
        ],
        max_cached_workflows=max_cached_workflows,
        build_id=settings.worker_build_id,
        placement=placement,
        local_activities=steps,
        executor=executor,
        local_slots=local_slots,
        shutdown_grace=timedelta(seconds=settings.worker_shutdown_grace_seconds),
    )


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
