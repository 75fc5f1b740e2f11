"""A checkout that learns the payment's answer in the request that starts the order: one
call starts the saga and sends it the `checkout` update (Update-with-Start), answered as soon
as the payment has an answer (workflows/checkout.py); the saga goes on to ship and capture.

The same request again (its Idempotency-Key, or the same order id, and the same body) attaches
to the saga it started and, under the same update id, gets the same answer; another request
for the order is refused as a second start is. The answer outlives the call: an update
accepted before a worker died is answered by the next one, and a saga that has ended answers
with how it ended."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from order_saga.client.errors import IdempotencyKeyReused, OrderAlreadyStarted, OrderError
from order_saga.client.orders import OrderHandle
from order_saga.client.starting import Idempotency, start_options, with_deadline
from order_saga.client.status import ClosedOrder, order_status
from workflows.checkout import (
    CHECKOUT_UPDATE,
    IDEMPOTENCY_MEMO,
    REFUSALS,
    CheckoutAsk,
    refusal_of,
)
from workflows.money import Money
from workflows.order_request import DEFAULT_DEADLINE_SECONDS, OrderRequest
from workflows.order_state import WORKFLOW_TYPE, OrderResult, SagaState, SagaStatus, StepState

MAX_WAIT_SECONDS = 10  # the longest a checkout holds its request open
PaymentOutcome = Literal["authorized", "captured", "requires_action", "in_review"]


@dataclass(frozen=True)
class Checkout:
    """The saga, and its status at the payment's answer (None: the wait ran out first)."""

    handle: OrderHandle
    status: SagaStatus | ClosedOrder | None


async def checkout(
    client: Client,
    order: OrderRequest,
    queue_prefix: str,
    *,
    wait: float,
    key: str | None = None,
    default_deadline_seconds: int | None = DEFAULT_DEADLINE_SECONDS,
) -> Checkout:
    """Start the order's saga and wait up to `wait` seconds (at most MAX_WAIT_SECONDS) for
    its payment's answer: authorized, the customer's 3-D Secure asked, or the order ended
    without it. `key`: the client's Idempotency-Key, if it sent one."""
    order = with_deadline(order, default_deadline_seconds)
    idempotency = Idempotency.of(key or "", order)
    ask = CheckoutAsk(key=key, fingerprint=idempotency.fingerprint)
    start: WithStartWorkflowOperation[Any, OrderResult] = WithStartWorkflowOperation(
        WORKFLOW_TYPE,
        order,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        memo={IDEMPOTENCY_MEMO: ask.model_dump()},
        result_type=OrderResult,
        **start_options(order, queue_prefix),
    )
    handle = client.get_workflow_handle(order.workflow_id, result_type=OrderResult)
    call = asyncio.ensure_future(
        client.execute_update_with_start_workflow(
            CHECKOUT_UPDATE,
            ask,
            start_workflow_operation=start,
            id=ask.update_id,
            result_type=SagaStatus,
        )
    )
    answered, _ = await asyncio.wait([call], timeout=min(wait, MAX_WAIT_SECONDS))
    # The wait ran out: once the saga has started (a start is never cut short), it goes on
    # without this call; the update stays with the saga for a retry to find.
    if not answered:
        try:
            started = await same_saga(handle, ask, missing_ok=True)
        except OrderError:
            await abandon(call, start)
            raise
        if started:
            await abandon(call, start)
            return Checkout(handle, None)
    try:
        status: SagaStatus = await call
    except WorkflowUpdateRPCTimeoutOrCancelledError:  # the server's own wait ran out
        return Checkout(handle, None)
    except WorkflowUpdateFailedError as err:  # the saga's validator refused it
        cause = err.cause
        if not isinstance(cause, ApplicationError):
            raise
        raise refused(cause.type, cause.message) from err
    except WorkflowAlreadyStartedError:  # the saga has ended: how it ended
        await same_saga(handle, ask)
        return Checkout(handle, await order_status(client, order.order_id))
    return Checkout(handle, status)


async def abandon(call: asyncio.Future[Any], start: WithStartWorkflowOperation[Any, Any]) -> None:
    """Stop waiting on the call, and on the start's own answer cut short with it (read, so
    its error is not left unretrieved; not waited for past a second)."""
    call.cancel()
    await asyncio.wait([call])
    started = asyncio.ensure_future(start.workflow_handle())
    await asyncio.wait([started], timeout=1)
    started.cancel()
    if started.done() and not started.cancelled():
        started.exception()


async def same_saga(handle: OrderHandle, ask: CheckoutAsk, *, missing_ok: bool = False) -> bool:
    """Whether the order's saga exists (False only when `missing_ok`); refused (raised) when
    another request than `ask` started it."""
    try:
        description = await handle.describe()
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND or not missing_ok:
            raise
        return False  # its start is still on its way: the call says how it went
    refusal = refusal_of(await description.memo_value(IDEMPOTENCY_MEMO, None), ask)
    if refusal is not None:
        raise refused(refusal, REFUSALS[refusal])
    return True


def refused(refusal: str | None, message: str) -> OrderError:
    """A checkout from another request than the one that started the order's saga."""
    if refusal == "IdempotencyKeyReused":
        return IdempotencyKeyReused(message)
    return OrderAlreadyStarted(message)


def payment_outcome(status: SagaStatus) -> PaymentOutcome | None:
    """What a checkout tells of the money: `requires_action` (the bank asks the customer
    first), `in_review` (held by the risk rules for a person, nothing authorized yet),
    `authorized` (held) or `captured` (taken, for a retry after pickup); None when the order
    ended without it (declined, out of stock, or voided and refunded since)."""
    if status.status == SagaState.AWAITING_AUTHENTICATION:
        return "requires_action"
    if status.status == SagaState.AWAITING_REVIEW:
        return "in_review"
    charge = next((s for s in status.steps if s.name == "charge_payment"), None)
    if charge is None or charge.state != StepState.DONE:
        return None
    if status.payment not in (None, Money.AUTHORIZED, Money.CAPTURED):
        return None
    return "captured" if status.payment == Money.CAPTURED else "authorized"
