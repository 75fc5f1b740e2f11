"""Finding an order's saga (by order id or workflow id; a customer's own alone); stopping one."""

from __future__ import annotations

import logging
from typing import Any

from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.service import RPCError, RPCStatusCode

from order_saga.client.errors import (
    OrderError,
    OrderNotFound,
)
from workflows.order_request import (
    WORKFLOW_ID_PREFIX,
    order_id_from,
    workflow_id_for,
)
from workflows.order_state import (
    OrderResult,
    SagaState,
)
from workflows.search_attributes import CUSTOMER_ID, ORDER_STATUS

OrderHandle = WorkflowHandle[Any, OrderResult]


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
