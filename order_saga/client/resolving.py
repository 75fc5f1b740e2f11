"""What a person asks of a running saga: retry the failed undos, record a fix, decide on a
held order (and, through `person_update`, amend one).

Each is a Temporal Update with a validator: a saga that is not waiting for it refuses with a
clear message, and a saga that has ended has nothing left to change. An update no worker
answers in time (every worker gone, or one killed mid-update) is `NoWorkerAnswered`: it may
still apply, and sent again it is refused or applied once, as the order's status then says.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from order_saga.client.errors import NotWaitingForPerson, NoWorkerAnswered, OrderError
from order_saga.client.orders import TRAIL, find_order
from workflows.order_request import order_id_from
from workflows.order_state import (
    MARK_RESOLVED_UPDATE,
    RETRY_UNDOS_UPDATE,
    MarkResolved,
    RetryUndos,
    SagaStatus,
)
from workflows.review_state import REVIEW_UPDATE, Decision, ReviewDecision

# How long a person's update may wait for the saga's worker to take and apply it.
UPDATE_WAIT = timedelta(seconds=60)


async def retry_undos(client: Client, order_id: str, *, by: str | None = None) -> SagaStatus:
    """Run a waiting saga's failed undos again, naming who asked; it ends once they go
    through."""
    return await person_update(client, order_id, RETRY_UNDOS_UPDATE, RetryUndos(by=by))


async def mark_resolved(
    client: Client, order_id: str, note: str, *, by: str | None = None
) -> SagaStatus:
    """Record a person's manual fix (the note, the time, who); the saga ends RESOLVED."""
    return await person_update(
        client, order_id, MARK_RESOLVED_UPDATE, MarkResolved(note=note, by=by)
    )


async def review_order(
    client: Client, order_id: str, decision: Decision, reason: str, *, by: str | None = None
) -> SagaStatus:
    """Approve or decline an order the risk rules hold (AWAITING_REVIEW), naming who; an
    order not waiting for one refuses (NotWaitingForPerson)."""
    review = ReviewDecision(decision=decision, reason=reason, by=by)
    return await person_update(client, order_id, REVIEW_UPDATE, review, "is not awaiting review")


async def person_update(
    client: Client,
    order_id: str,
    update: str,
    arg: BaseModel,
    refused: str = "is not waiting for a person",
    *,
    customer: str | None = None,
    refusal: type[OrderError] = NotWaitingForPerson,
    wait: timedelta = UPDATE_WAIT,
) -> SagaStatus:
    """Send a person's update (who asks is `arg.by`); the saga's refusal, or its end, is
    `refusal`, saying the order `refused`. With `customer`, only their own order."""
    handle, _ = await find_order(client, order_id, customer=customer)
    TRAIL.info("%s of order %s asked by %s", update, order_id, getattr(arg, "by", None) or "-")
    try:
        status: SagaStatus = await handle.execute_update(
            update, arg, result_type=SagaStatus, rpc_timeout=wait
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError as err:
        raise NoWorkerAnswered(
            f"no worker answered {update} of order {order_id_from(handle.id)} within "
            f"{wait.total_seconds():.0f} s; it may still apply: the order's status tells"
        ) from err
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError):
            raise refusal(cause.message) from err
        raise
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:  # the saga has closed
            raise refusal(f"order {order_id_from(handle.id)} {refused} (it has ended)") from err
        raise
    return status
