"""A person settles what the saga could not undo: retry the failed undos, or record a fix.

Both are Temporal Updates with validators: a saga that is not waiting for a person refuses
them with a clear message, and a saga that has ended has nothing left to change.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from order_saga.client.errors import NotWaitingForPerson
from order_saga.client.orders import TRAIL, find_order
from workflows.order_request import order_id_from
from workflows.order_state import (
    MARK_RESOLVED_UPDATE,
    RETRY_UNDOS_UPDATE,
    MarkResolved,
    RetryUndos,
    SagaStatus,
)


async def retry_undos(client: Client, order_id: str, *, by: str | None = None) -> SagaStatus:
    """Run a waiting saga's failed undos again, naming who asked; it ends once they go
    through."""
    return await _update(client, order_id, RETRY_UNDOS_UPDATE, RetryUndos(by=by))


async def mark_resolved(
    client: Client, order_id: str, note: str, *, by: str | None = None
) -> SagaStatus:
    """Record a person's manual fix (the note, the time, who); the saga ends RESOLVED."""
    return await _update(client, order_id, MARK_RESOLVED_UPDATE, MarkResolved(note=note, by=by))


async def _update(
    client: Client, order_id: str, update: str, arg: MarkResolved | RetryUndos
) -> SagaStatus:
    handle, _ = await find_order(client, order_id)
    TRAIL.info("%s of order %s asked by %s", update, order_id, arg.by or "-")
    try:
        status: SagaStatus = await handle.execute_update(update, arg, result_type=SagaStatus)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError):
            raise NotWaitingForPerson(cause.message) from err
        raise
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:  # the saga has closed
            raise NotWaitingForPerson(
                f"order {order_id_from(handle.id)} is not waiting for a person (it has ended)"
            ) from err
        raise
    return status
