"""The saga's Prometheus counters: one name each, HELP that explains, bounded labels.

Error types outside the known set count as `other`, so a new failure cannot grow a series
per message. Counters from workflow code are not emitted while a history replays.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import MetricCounter, MetricMeter

from activities.inventory.activities import RELEASE_INVENTORY, RESERVE_RETRY
from activities.payment.activities import CAPTURE_RETRY, PAYMENT_RETRY, REFUND_PAYMENT
from activities.shipment.activities import CANCEL_SHIPMENT, SHIPMENT_RETRY
from workflows.order_state import OUTCOME_STATES

STEP_RETRIES = (RESERVE_RETRY, PAYMENT_RETRY, CAPTURE_RETRY, SHIPMENT_RETRY)

STARTED = "order_saga_sagas_started"
FINISHED = "order_saga_sagas_finished"
STEP_FAILURES = "order_saga_step_failures"
COMPENSATION_FAILURES = "order_saga_compensation_failures"
NOTIFICATION_FAILURES = "order_saga_notification_failures"
WEBHOOK_FAILURES = "order_saga_webhook_failures"

HELP = {
    STARTED: "Order sagas started.",
    FINISHED: "Order sagas ended, by outcome: completed (handed to the carrier), compensated "
    "(a step failed and its work was undone), cancelled (undone on request), expired (undone "
    "when its deadline passed before shipment), resolved (a person settled an undo that "
    "failed), refused (another run owns the order's id; this run changed nothing).",
    STEP_FAILURES: "Saga steps that failed for good, by step and error type; each one is "
    "followed by compensation. Unknown error types count as other.",
    COMPENSATION_FAILURES: "Undos that failed for good and need a person, by undo activity.",
    NOTIFICATION_FAILURES: "Customer mails not sent after a day of retries (or refused for "
    "good by the mail server), by kind: confirmed, undone, authentication. The orders they "
    "are about ended as they did.",
    WEBHOOK_FAILURES: "Order events a subscriber did not take within three days of retries; "
    "the next event goes to it anyway.",
}
OUTCOMES = tuple(state.lower() for state in OUTCOME_STATES)
UNDOS = tuple(call.name for call in (RELEASE_INVENTORY, REFUND_PAYMENT, CANCEL_SHIPMENT))
# Every type a step's retry policy holds final, and what else ends a step or an undo.
ERROR_TYPES = frozenset(
    {
        *(t for policy in STEP_RETRIES for t in policy.non_retryable_error_types or ()),
        "RefundFailed",
        "AuthenticationTimedOut",
        "DatabaseError",
        "Timeout",
    }
)


def error_label(error_type: str | None) -> str:
    """The `error_type` label: a known type, or `other`."""
    return error_type if error_type in ERROR_TYPES else "other"


def counter(meter: MetricMeter, name: str) -> MetricCounter:
    """The counter `name` with its HELP, on `meter`."""
    return meter.create_counter(name, HELP[name])


def count(name: str, **labels: str) -> None:
    """Add one to a saga counter, from workflow code."""
    counter(workflow.metric_meter(), name).add(1, labels or None)
