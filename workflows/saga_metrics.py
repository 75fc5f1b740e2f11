"""The saga's Prometheus counters: one name each, HELP that explains, bounded labels.

Error types outside the known set count as `other`, so a new failure cannot grow a series
per message. Counters from workflow code are not emitted while a history replays.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import MetricCounter, MetricMeter

STARTED = "order_saga_sagas_started"
FINISHED = "order_saga_sagas_finished"
STEP_FAILURES = "order_saga_step_failures"
COMPENSATION_FAILURES = "order_saga_compensation_failures"

HELP = {
    STARTED: "Order sagas started.",
    FINISHED: "Order sagas ended, by outcome: completed (handed to the carrier), compensated "
    "(a step failed and its work was undone), cancelled (undone on request), "
    "compensation_failed (an undo failed for good and needs a person), refused (another run "
    "owns the order's id; this run changed nothing).",
    STEP_FAILURES: "Saga steps that failed for good, by step and error type; each one is "
    "followed by compensation. Unknown error types count as other.",
    COMPENSATION_FAILURES: "Undos that failed for good and need a person, by undo activity.",
}
OUTCOMES = (
    "completed", "compensated", "cancelled", "expired", "resolved", "compensation_failed",
    "refused",
)  # fmt: skip
STEPS = ("reserve_inventory", "charge_payment", "create_shipment")
UNDOS = ("release_inventory", "refund_payment", "cancel_shipment")
ERROR_TYPES = frozenset(
    {
        "OutOfStock", "PriceMismatch", "UnknownProduct",  # inventory
        "CardDeclined", "InsufficientFunds", "ExpiredCard", "Fraudulent", "ProcessingError",
        "PaymentDeclined", "PaymentRejected", "GatewayAuthentication", "IdempotencyConflict",
        "RefundFailed",  # payment
        "ShipmentRejected",  # shipment
        "OrderTakenByAnotherRun", "OrderAlreadyCompensated", "DatabaseError", "Timeout",
    }
)  # fmt: skip


def error_label(error_type: str | None) -> str:
    """The `error_type` label: a known type, or `other`."""
    return error_type if error_type in ERROR_TYPES else "other"


def counter(meter: MetricMeter, name: str) -> MetricCounter:
    """The counter `name` with its HELP, on `meter`."""
    return meter.create_counter(name, HELP[name])


def count(name: str, **labels: str) -> None:
    """Add one to a saga counter, from workflow code."""
    counter(workflow.metric_meter(), name).add(1, labels or None)
