"""The matched no-op: a workflow that makes the saga's four forward activity calls, on the
same queue layout, with the same worker options, and does nothing else. What the engine
costs per order; the saga's throughput is measured against it (`benchmarks.noop_worker`
runs it).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import activity, workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.queues import queue
    from workflows.order_request import OrderRequest

NOOP_WORKFLOW = "NoopOrder"
TIMEOUT = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(seconds=30))


class Token(BaseModel):
    order_id: str


@activity.defn(name="noop_reserve")
def noop_reserve(arg: Token) -> Token:
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


CALLS = (
    ("inventory", noop_reserve),
    ("payment", noop_create_intent),
    ("payment", noop_charge),
    ("shipment", noop_ship),
)


@workflow.defn(name=NOOP_WORKFLOW)
class NoopOrder:
    @workflow.run
    async def run(self, order: OrderRequest) -> Token:
        prefix = workflow.info().task_queue.removesuffix("-orders")
        token = Token(order_id=order.order_id)
        for service, call in CALLS:
            token = await workflow.execute_activity(
                call,
                token,
                task_queue=queue(prefix, service),  # type: ignore[arg-type]
                start_to_close_timeout=TIMEOUT,
                retry_policy=RETRY,
            )
        return token
