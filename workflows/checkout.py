"""A checkout that waits for the payment's answer in the request that starts the order: the
storefront starts the saga and sends it the `checkout` update in one call (Update-with-Start),
and the update answers as soon as the payment has an answer, while the saga goes on to ship
and capture. The update's argument names the request, so a retry attaches to the saga it
started, and another request for the same order is refused, as a second start is."""

from __future__ import annotations

import hashlib

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.messages import Strict
    from workflows.order_progress import OrderProgress
    from workflows.order_state import OUTCOME_STATES, SagaState, StepState

CHECKOUT_UPDATE = "checkout"
IDEMPOTENCY_MEMO = "idempotency"  # the key a start was asked with, and its request's fingerprint
# Where the payment has had its answer: the customer is asked to authenticate, or the order
# has ended without the money (declined, out of stock: answered once the undos have run).
ANSWERED = frozenset(
    {SagaState.AWAITING_AUTHENTICATION, SagaState.AWAITING_REVIEW, *OUTCOME_STATES}
)


class CheckoutAsk(Strict):
    """Which request asks: its Idempotency-Key (if any) and its body's fingerprint."""

    key: str | None = None
    fingerprint: str

    @property
    def update_id(self) -> str:
        """The update's id: one per request, so Temporal answers a retry with the first
        outcome, and another request (another key or body) reaches the validator."""
        asked = f"{self.key or ''}\x00{self.fingerprint}".encode()
        return f"checkout-{hashlib.sha256(asked).hexdigest()[:32]}"


def payment_answered(progress: OrderProgress) -> bool:
    """Whether a checkout has its answer: the money is held, the bank asks the customer
    first, a person reviews the order first, or the order ended (or waits for a person)
    without it."""
    return (
        progress.steps["charge_payment"].state == StepState.DONE
        or progress.state in ANSWERED
        or progress.waiting_for_person
    )


def refusal_of(mine: object, ask: CheckoutAsk) -> str | None:
    """None when `mine` (a saga's idempotency memo) records `ask`'s request; else why it is
    refused: the same key with another body, or another request for an order that has a
    saga."""
    if not isinstance(mine, dict):
        return "OrderAlreadyStarted"
    if mine.get("fingerprint") == ask.fingerprint and mine.get("key") == ask.key:
        return None
    if ask.key is not None and mine.get("key") == ask.key:
        return "IdempotencyKeyReused"
    return "OrderAlreadyStarted"


def check_same_request(ask: CheckoutAsk) -> None:
    """The checkout update's validator: refuse another request than this saga's own."""
    refusal = refusal_of(workflow.memo_value(IDEMPOTENCY_MEMO, None), ask)
    if refusal is not None:
        raise ApplicationError(f"{workflow.info().workflow_id}: {REFUSALS[refusal]}", type=refusal)


REFUSALS = {
    "OrderAlreadyStarted": "the order already has a saga, started by another request",
    "IdempotencyKeyReused": "the Idempotency-Key was used for another request",
}
