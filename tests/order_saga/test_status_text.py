"""What `order-saga status` prints of a saga waiting for the customer's 3-D Secure."""

from __future__ import annotations

from order_saga.cli.output import status_text
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
