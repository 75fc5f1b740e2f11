"""Starting an order's saga: once per order id, ever; a retry of the request that started it
(its Idempotency-Key and body) gets that saga back, any other request is refused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.queues import queue
from order_saga import presentation
from order_saga.client.errors import IdempotencyKeyReused, OrderAlreadyStarted
from order_saga.client.orders import OrderHandle
from workflows.checkout import IDEMPOTENCY_MEMO, CheckoutAsk, refusal_of
from workflows.order_request import DEFAULT_DEADLINE_SECONDS, OrderRequest
from workflows.order_state import WORKFLOW_TYPE, OrderResult
from workflows.search_attributes import at_start

# The server's default. A saga's workflow task runs its local activities (every step
# colocated, the subscriber lookup in both placements); a colocated worker admits no more
# tasks than run promptly (`worker_options.ADMITTED_TASKS`), so a task lasts well under a
# second, and a worker killed mid-task delays its sagas by this much (it was 30 s: under
# `python -m benchmarks.chaos`'s worker kills orders waited 68 s for their first step, a
# median; 31 s since, with `worker_options.STICKY_WAIT`).
WORKFLOW_TASK_TIMEOUT = timedelta(seconds=10)


@dataclass(frozen=True)
class Idempotency:
    """A client's Idempotency-Key and the fingerprint of what it asked for with it: the same
    pair again replays the first answer; the key with another request is refused."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, order: OrderRequest) -> Idempotency:
        """The pair for `order`, asked with `key`."""
        body = order.model_dump_json(exclude={"deadline_seconds"})
        return cls(key, hashlib.sha256(body.encode()).hexdigest())


async def start_order(
    client: Client,
    order: OrderRequest,
    queue_prefix: str,
    *,
    default_deadline_seconds: int | None = DEFAULT_DEADLINE_SECONDS,
    idempotency: Idempotency | None = None,
    eager: bool = False,
) -> OrderHandle:
    """Start once per order: a second start for the same order id is refused, even later,
    unless it repeats the first one's `idempotency` (then it is the first one's handle).
    An order without a deadline gets the default one (the ORDER_DEADLINE_SECONDS setting).
    `eager`: a worker on `client` in this process takes the saga's first task with the start
    (no round trip through the task queue); the server falls back to the queue otherwise."""
    order = with_deadline(order, default_deadline_seconds)
    try:
        return await client.start_workflow(
            WORKFLOW_TYPE,
            order,
            result_type=OrderResult,
            memo={IDEMPOTENCY_MEMO: vars(idempotency)} if idempotency else None,
            request_eager_start=eager,
            **start_options(order, queue_prefix),
        )
    except WorkflowAlreadyStartedError as err:
        return await started_before(client, order, idempotency, err)


def with_deadline(order: OrderRequest, default_deadline_seconds: int | None) -> OrderRequest:
    """The order with the default deadline (ORDER_DEADLINE_SECONDS) unless it has its own."""
    if order.deadline_seconds is None and default_deadline_seconds is not None:
        return order.model_copy(update={"deadline_seconds": default_deadline_seconds})
    return order


def start_options(order: OrderRequest, queue_prefix: str) -> dict[str, Any]:
    """How every start of an order's saga is asked: one saga per order id, ever, on the
    orders' queue, found by its customer and total, summarised for the Web UI."""
    return {
        "id": order.workflow_id,
        "task_queue": queue(queue_prefix, "orders"),
        "id_reuse_policy": WorkflowIDReusePolicy.REJECT_DUPLICATE,
        "search_attributes": at_start(order.customer_id, float(order.total)),
        "static_summary": presentation.summary(order),
        "static_details": presentation.details(order),
        "task_timeout": WORKFLOW_TASK_TIMEOUT,
    }


async def started_before(
    client: Client, order: OrderRequest, idempotency: Idempotency | None, err: Exception
) -> OrderHandle:
    """The saga of an order started before: its handle when this request repeats the one
    that started it (its key and body), refused otherwise."""
    if idempotency is not None:
        handle = client.get_workflow_handle(order.workflow_id, result_type=OrderResult)
        first = await (await handle.describe()).memo_value(IDEMPOTENCY_MEMO, None)
        asked = CheckoutAsk(key=idempotency.key, fingerprint=idempotency.fingerprint)
        refusal = refusal_of(first, asked)  # the same rule as a checkout's
        if refusal is None:
            return handle  # a retry of the same request: the same answer
        if refusal == "IdempotencyKeyReused":
            raise IdempotencyKeyReused(
                f"Idempotency-Key {idempotency.key!r} was used for another request"
            ) from err
    raise OrderAlreadyStarted(
        f"order {order.order_id} already has a saga ({order.workflow_id}); "
        f"see `order-saga status {order.order_id}`"
    ) from err


def order_id_for_key(key: str, customer_id: str | None) -> str:
    """The order id an Idempotency-Key names. A customer's keys are theirs: another
    customer's same key is another order. NUL, which neither a key nor a customer id may
    hold, keeps the scope and the key apart (with ':', customer `a:b` and key `c` met
    customer `a` and key `b:c`), and a storefront's key apart from every customer's."""
    scoped = f"{customer_id}\x00{key}" if customer_id else key
    return f"k-{hashlib.sha256(scoped.encode()).hexdigest()[:24]}"
