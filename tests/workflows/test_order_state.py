"""The saga's account of itself, as every front end reads it."""

from __future__ import annotations

from workflows.order_state import OrderResult, SagaState, SagaStatus


def test_the_business_state_is_called_status_in_the_query_and_the_result_alike() -> None:
    status = SagaStatus(order_id="o-1", status=SagaState.COMPLETED, steps=[])
    result = OrderResult(order_id="o-1", status=SagaState.COMPLETED)
    assert status.model_dump(mode="json")["status"] == result.model_dump(mode="json")["status"]
    assert "state" not in status.model_dump()


def test_a_worker_of_the_earlier_build_answering_state_is_still_understood() -> None:
    """During a rolling deploy an old worker answers the query with the field's old name."""
    old = SagaStatus.model_validate({"order_id": "o-1", "state": "AWAITING_HANDOVER", "steps": []})
    assert old.status == SagaState.AWAITING_HANDOVER
