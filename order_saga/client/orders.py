"""Starting an order's saga, finding it, asking where it is, its outcome, cancelling it."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.queues import queue
from order_saga import presentation
from order_saga.client.errors import (
    IdempotencyKeyReused,
    OrderAlreadyStarted,
    OrderError,
    OrderNotFound,
)
from workflows.order_request import (
    DEFAULT_DEADLINE_SECONDS,
    WORKFLOW_ID_PREFIX,
    OrderRequest,
    order_id_from,
    workflow_id_for,
)
from workflows.order_state import (
    WORKFLOW_TYPE,
    OrderResult,
    SagaState,
)
from workflows.search_attributes import CUSTOMER_ID, ORDER_STATUS, at_start

OrderHandle = WorkflowHandle[Any, OrderResult]
# A saga's workflow task runs its local activities (every step colocated, the subscriber
# lookup in both placements), which may wait for a free slot behind other sagas' steps. With
# the default 10 s, a task still running then was timed out by the server and its finished
# steps run again (colocated at 200 in flight on a slow day: 13 of 100 sagas, 5.4
# orders/s instead of 6.7: `python -m benchmarks.colocated_tasks`); a worker that dies
# mid-task delays its saga by this much, no more.
WORKFLOW_TASK_TIMEOUT = timedelta(seconds=30)
IDEMPOTENCY_MEMO = "idempotency"  # the key a start was asked with, and its request's fingerprint


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
    if order.deadline_seconds is None and default_deadline_seconds is not None:
        order = order.model_copy(update={"deadline_seconds": default_deadline_seconds})
    try:
        return await client.start_workflow(
            WORKFLOW_TYPE,
            order,
            result_type=OrderResult,
            id=order.workflow_id,
            task_queue=queue(queue_prefix, "orders"),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=at_start(order.customer_id, float(order.total)),
            static_summary=presentation.summary(order),
            memo={IDEMPOTENCY_MEMO: vars(idempotency)} if idempotency else None,
            static_details=presentation.details(order),
            request_eager_start=eager,
            task_timeout=WORKFLOW_TASK_TIMEOUT,
        )
    except WorkflowAlreadyStartedError as err:
        if idempotency is not None:
            handle = client.get_workflow_handle(order.workflow_id, result_type=OrderResult)
            first = await (await handle.describe()).memo_value(IDEMPOTENCY_MEMO, None)
            if first is not None and first.get("key") == idempotency.key:
                if first.get("fingerprint") == idempotency.fingerprint:
                    return handle  # a retry of the same request: the same answer
                raise IdempotencyKeyReused(
                    f"Idempotency-Key {idempotency.key!r} was used for another request"
                ) from err
        raise OrderAlreadyStarted(
            f"order {order.order_id} already has a saga ({order.workflow_id}); "
            f"see `order-saga status {order.order_id}`"
        ) from err


async def find_order(
    client: Client, reference: str, *, customer: str | None = None
) -> tuple[OrderHandle, WorkflowExecutionDescription]:
    """The saga of an order named by its order id or by its workflow id (what `start`
    prints), and what Temporal knows of it; a clear error when there is none. With
    `customer`, another customer's order is refused in the same words as a missing one."""
    candidates = [workflow_id_for(reference)]
    if reference.startswith(WORKFLOW_ID_PREFIX):  # the order id first: it may look like one
        candidates.append(reference)
    for workflow_id in candidates:
        handle = client.get_workflow_handle(workflow_id, result_type=OrderResult)
        try:
            description = await handle.describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            if any(
                d.type_url.endswith("NamespaceNotFoundFailure") for d in err.grpc_status.details
            ):
                raise OrderError(f"Temporal has no namespace {client.namespace!r}") from err
            continue
        if (
            customer is not None
            and description.typed_search_attributes.get(CUSTOMER_ID) != customer
        ):
            break
        return handle, description
    raise no_order(reference)


def no_order(reference: str) -> OrderNotFound:
    """The refusal for an order that does not exist, or that the caller may not see: the
    same words, so a refusal never tells which."""
    return OrderNotFound(f"no saga for order {reference}")


TRAIL = logging.getLogger("order_saga.trail")  # one line per person's request: who, what


def order_state_of(execution: WorkflowExecution) -> str | None:
    """The order's state as it stands: TERMINATED for a run an operator stopped (its
    OrderStatus is where it was stopped), else its OrderStatus."""
    if execution.status == WorkflowExecutionStatus.TERMINATED:
        return str(SagaState.TERMINATED)
    return execution.typed_search_attributes.get(ORDER_STATUS)


async def terminate_order(client: Client, order_id: str, reason: str) -> str:
    """Stop a running saga at once, undoing nothing (for operators; `cancel` undoes).
    Returns the workflow id."""
    handle, description = await find_order(client, order_id)
    if description.status != WorkflowExecutionStatus.RUNNING:
        state = order_state_of(description) or "closed"
        raise OrderError(f"order {order_id_from(handle.id)} already ended ({state})")
    await handle.terminate(reason=reason)
    return handle.id


def order_id_for_key(key: str, customer_id: str | None) -> str:
    """The order id an Idempotency-Key names. A customer's keys are theirs: another
    customer's same key is another order. NUL, which neither a key nor a customer id may
    hold, keeps the scope and the key apart (with ':', customer `a:b` and key `c` met
    customer `a` and key `b:c`), and a storefront's key apart from every customer's."""
    scoped = f"{customer_id}\x00{key}" if customer_id else key
    return f"k-{hashlib.sha256(scoped.encode()).hexdigest()[:24]}"
