"""The saga's own worker: the order workflows, and the calls it runs itself (a local
activity each): per service only its hand-over of events and mails, the risk check, a
return's and a dispute's rows; colocated every step as well."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.worker import Worker

from activities.notification.hand_over import HandOverActivities
from activities.notification.subscribers import ActiveSubscribers
from activities.notification.webhook_activities import WebhookActivities
from activities.payment.breaker import GatewayBreaker
from activities.payment.disputing import DisputeActivities
from activities.queues import queue
from activities.returns.activities import ReturnActivities
from activities.risk.activities import RiskActivities
from order_saga.metrics import runtime_of, zero_saga_counters
from order_saga.service_wiring import STEP_SERVICES, gateway_breaker, service_activities
from order_saga.settings import Settings
from order_saga.worker_options import workflow_worker
from workflows.customer_mail import NotifyCustomer
from workflows.event_delivery import DeliverOrderEvents
from workflows.order_dispute import OrderDispute, UpgradingOrderDispute
from workflows.order_return import OrderReturn, UpgradingOrderReturn
from workflows.order_workflow import OrderSaga
from workflows.payment_void import VoidPaymentIntent
from workflows.placement import Placement


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
