"""Stripe's `charge.dispute.*` events, passed to the dispute's own workflow: started by its
first event and fed by the others (signal-with-start), so no event is lost between them and
two deliveries of one event start one workflow."""

from __future__ import annotations

from datetime import UTC, datetime

import stripe
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from activities.payment.contracts import DisputeSnapshot
from order_saga.api.problems import ProblemError
from workflows.order_dispute import DISPUTE_EVENT_SIGNAL, DISPUTE_PREFIX, DisputeStart

DISPUTE_EVENTS = "charge.dispute."


def snapshot_of(event: stripe.Event) -> DisputeSnapshot:
    """The dispute as the event shows it."""
    dispute = event.data.object.to_dict()
    due = (dispute.get("evidence_details") or {}).get("due_by")
    return DisputeSnapshot(
        dispute_id=str(dispute["id"]),
        payment_intent=str(dispute.get("payment_intent") or ""),
        status=str(dispute.get("status") or "unknown"),
        amount=int(dispute.get("amount") or 0),
        currency=str(dispute.get("currency") or "usd"),
        reason=str(dispute.get("reason") or "general"),
        due_by=datetime.fromtimestamp(due, UTC) if due else None,
        event_type=event.type,
        event_created=int(event.created),
    )


async def disputed(
    client: Client, queue_prefix: str, event: stripe.Event, operator_email: str | None = None
) -> None:
    """Deliver the event to its dispute's workflow, starting it if this is the first; 503
    (Stripe retries) when Temporal cannot take it."""
    snapshot = snapshot_of(event)
    try:
        await client.start_workflow(
            "OrderDispute",
            DisputeStart(dispute_id=snapshot.dispute_id, operator_email=operator_email),
            id=f"{DISPUTE_PREFIX}{snapshot.dispute_id}",
            task_queue=f"{queue_prefix}-orders",
            start_signal=DISPUTE_EVENT_SIGNAL,
            start_signal_args=[snapshot],
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
    except RPCError as err:
        raise ProblemError(
            503, "unavailable", "Temporal unavailable", "the event could not be delivered"
        ) from err
