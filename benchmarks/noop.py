"""The matched no-op: a workflow that makes the saga's six forward activity calls, on the
same queue layout (the risk check in its own worker, as the saga's), with each call's
declared timeouts, deadline, retry policy and a summary, under the same worker options, and
does nothing else. What the engine costs per order; the saga's throughput is measured
against it (`benchmarks.noop_worker` runs it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from activities.activity_call import LOCAL_RETRY_THRESHOLD, ActivityCall
    from activities.inventory.activities import RESERVE_INVENTORY
    from activities.payment.activities import (
        CAPTURE_PAYMENT,
        CHARGE_PAYMENT,
        CREATE_PAYMENT_INTENT,
    )
    from activities.queues import prefix_of, queue
    from activities.risk.activities import ASSESS_RISK
    from activities.shipment.activities import CREATE_SHIPMENT
    from workflows.order_request import OrderRequest

NOOP_WORKFLOW = "NoopOrder"


class Token(BaseModel):
    order_id: str


@activity.defn(name="noop_reserve")
def noop_reserve(arg: Token) -> Token:
    return arg


@activity.defn(name="noop_assess")
def noop_assess(arg: Token) -> Token:
    return arg


@activity.defn(name="noop_create_intent")
def noop_create_intent(arg: Token) -> Token:
    return arg


@activity.defn(name="noop_charge")
def noop_charge(arg: Token) -> Token:
    return arg


@activity.defn(name="noop_ship")
def noop_ship(arg: Token) -> Token:
    return arg


@activity.defn(name="noop_capture")
def noop_capture(arg: Token) -> Token:
    return arg


# Each no-op stands in for one of the saga's calls and takes its declared options.
CALLS: tuple[tuple[ActivityCall[Any, Any], Any], ...] = (
    (RESERVE_INVENTORY, noop_reserve),
    (ASSESS_RISK, noop_assess),  # local in both placements, as the saga runs it
    (CREATE_PAYMENT_INTENT, noop_create_intent),
    (CHARGE_PAYMENT, noop_charge),
    (CREATE_SHIPMENT, noop_ship),
    (CAPTURE_PAYMENT, noop_capture),
)


def options(declared: ActivityCall[Any, Any], order: OrderRequest) -> dict[str, Any]:
    """The saga's options for the call a no-op stands in for: as the saga, the order's step
    deadline bounds reserve and ship, the payment calls their own."""
    deadline = order.step_deadline if declared.service != "payment" else None
    return declared.options(summary=f"{declared.name} {order.order_id}", deadline=deadline)


@workflow.defn(name=NOOP_WORKFLOW)
class NoopOrder:
    @workflow.run
    async def run(self, order: OrderRequest) -> Token:
        prefix = prefix_of(workflow.info().task_queue)
        token = Token(order_id=order.order_id)
        for declared, call in CALLS:
            if declared is ASSESS_RISK:
                token = await workflow.execute_local_activity(
                    call,
                    token,
                    local_retry_threshold=LOCAL_RETRY_THRESHOLD,
                    **options(declared, order),
                )
                continue
            token = await workflow.execute_activity(
                call, token, task_queue=queue(prefix, declared.service), **options(declared, order)
            )
        return token


LOCAL_NOOP_WORKFLOW = "LocalNoopOrder"


@workflow.defn(name=LOCAL_NOOP_WORKFLOW)
class LocalNoopOrder:
    """The engine's floor: the same six calls as local activities (started eagerly by the
    load in the worker's process), which is the colocated saga's shape."""

    @workflow.run
    async def run(self, order: OrderRequest) -> Token:
        token = Token(order_id=order.order_id)
        for declared, call in CALLS:
            token = await workflow.execute_local_activity(
                call,
                token,
                local_retry_threshold=LOCAL_RETRY_THRESHOLD,
                **options(declared, order),
            )
        return token
