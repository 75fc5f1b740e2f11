"""What `order-saga status` prints of a saga waiting for the customer's 3-D Secure, or for a
person's review."""

from __future__ import annotations

from decimal import Decimal

from order_saga.cli.output import status_text
from workflows.money import Money
from workflows.order_state import SagaState, SagaStatus, StepState, StepStatus


def test_a_saga_awaiting_authentication_shows_where_to_send_the_customer() -> None:
    waiting = SagaStatus(
        order_id="o-1",
        status=SagaState.AWAITING_AUTHENTICATION,
        steps=[StepStatus(name="charge_payment", state=StepState.RUNNING)],
        authentication_url="http://127.0.0.1:12111/3ds/pi_1",
    )
    text = status_text(waiting)
    assert text.startswith("order o-1: AWAITING_AUTHENTICATION\n")
    assert "  the customer must authenticate at: http://127.0.0.1:12111/3ds/pi_1" in text


def test_an_authorized_order_says_by_when_it_is_captured_and_a_captured_one_does_not() -> None:
    deadline = "2026-12-11 10:00:00 UTC (the order's capture window)"
    held = SagaStatus(
        order_id="o-2",
        status=SagaState.AWAITING_HANDOVER,
        steps=[StepStatus(name="capture_payment", state=StepState.PENDING)],
        total=Decimal("19.99"),
        currency="usd",
        payment=Money.AUTHORIZED,
        capture_by=deadline,
    )
    assert f"  capture by {deadline}" in status_text(held)
    taken = held.model_copy(update={"payment": Money.CAPTURED})
    assert "capture by" not in status_text(taken)


def test_a_held_order_says_why_what_to_run_and_by_when() -> None:
    from datetime import UTC, datetime

    from workflows.review_state import ReviewView

    held = SagaStatus(
        order_id="o-2",
        status=SagaState.AWAITING_REVIEW,
        steps=[StepStatus(name="assess_risk", state=StepState.RUNNING)],
        review=ReviewView(
            reasons=["over the limit"], decide_by=datetime(2026, 12, 5, 22, tzinfo=UTC)
        ),
    )
    text = status_text(held)
    assert (
        "  held for review (over the limit): order-saga review o-2 --approve|--decline "
        "--reason TEXT, by 2026-12-05 22:00:00 UTC"
    ) in text
