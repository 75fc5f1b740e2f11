"""Risk before money: an order the risk rules hold waits AWAITING_REVIEW, nothing authorized,
for a person's approve or decline (an Update that refuses an order not waiting for one); no
decision in time declines it; a blocked customer is declined at once. A declined order's
stock is released and its customer told, in plain words."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle

from order_saga.client import (
    NotWaitingForPerson,
    NoWorkerAnswered,
    order_result,
    review_order,
    start_order,
)
from order_saga.client.resolving import person_update
from tests.helpers import order, until
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.review_state import REVIEW_UPDATE, ReviewDecision
from workflows.search_attributes import ORDER_STATUS

HELD = ["new orders are held for review (the hold switch is on)"]
MONEY_STEPS = ("create_payment_intent", "charge_payment", "capture_payment")


def mailed(request: OrderRequest) -> OrderRequest:
    return request.model_copy(update={"customer_email": "ann@example.com"})


async def awaiting_review(handle: WorkflowHandle[Any, Any]) -> None:
    """Until the Web UI's OrderStatus says the order waits for a person's review."""

    async def held() -> bool:
        attributes = (await handle.describe()).typed_search_attributes
        return attributes.get(ORDER_STATUS) == SagaState.AWAITING_REVIEW

    await until(held)


async def test_an_approved_order_goes_on_to_the_money_and_records_who(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.review_reasons = HELD
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await awaiting_review(handle)
        held = {name: stubs.calls[name] for name in MONEY_STEPS}
        status = await review_order(env.client, request.order_id, "approve", "known buyer", by="op")
        result = await order_result(handle)
        with pytest.raises(NotWaitingForPerson, match="not awaiting review"):
            await review_order(env.client, request.order_id, "decline", "too late", by="op")

    assert held == dict.fromkeys(MONEY_STEPS, 0)  # nothing authorized while it waited
    assert status.review is not None and status.review.reasons == HELD
    assert (status.review.decision, status.review.by, status.review.reason) == (
        "approve",
        "op",
        "known buyer",
    )
    assert result.status == SagaState.COMPLETED
    assert stubs.calls["charge_payment"] == 1


async def test_two_decisions_racing_one_is_taken_the_other_refused(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.review_reasons = HELD
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await awaiting_review(handle)
        answers = await asyncio.gather(
            review_order(env.client, request.order_id, "approve", "fine", by="ann"),
            review_order(env.client, request.order_id, "decline", "not fine", by="bob"),
            return_exceptions=True,
        )
        result = await order_result(handle)

    refused = [a for a in answers if isinstance(a, NotWaitingForPerson)]
    taken = [a for a in answers if not isinstance(a, BaseException)]
    assert len(refused) == 1 and len(taken) == 1
    [first] = taken
    assert first.review is not None
    assert [i.action for i in result.interventions] == [first.review.decision]
    ended = SagaState.COMPLETED if first.review.decision == "approve" else SagaState.COMPENSATED
    assert result.status == ended


async def test_a_declined_order_is_undone_and_its_customer_told(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.review_reasons = HELD
    request = mailed(order(("prod-456", 1, "19.99")))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await awaiting_review(handle)
        await review_order(env.client, request.order_id, "decline", "stolen card", by="op")
        result = await order_result(handle)

    assert result.status == SagaState.COMPENSATED
    assert result.error_type == "ReviewDeclined"
    assert "stolen card" in (result.error_message or "")
    assert result.compensations_run == ["release_inventory"]
    assert [stubs.calls[name] for name in MONEY_STEPS] == [0, 0, 0]
    [mail] = [m for m in stubs.mails if m.kind == "undone"]
    assert mail.reason == "we could not accept it"  # never the operator's words
    assert [i.action for i in result.interventions] == ["decline"]


async def test_an_order_no_one_reviews_in_time_is_declined_and_undone(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.review_reasons = HELD
    stubs.review_within = 2  # in real time: no test server's clock to skip, whatever else runs
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)

    assert result.status == SagaState.COMPENSATED
    assert result.error_type == "ReviewTimedOut"
    assert result.compensations_run == ["release_inventory"]
    assert stubs.calls["create_payment_intent"] == 0


async def test_a_blocked_customer_is_declined_before_money_and_no_review(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.blocked = True
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)
        with pytest.raises(NotWaitingForPerson):
            await review_order(env.client, request.order_id, "approve", "no", by="op")

    assert result.status == SagaState.COMPENSATED
    assert result.error_type == "RiskBlocked"
    assert result.compensations_run == ["release_inventory"]
    assert stubs.calls["create_payment_intent"] == 0
    assert result.failed_step == "assess_risk"


async def test_an_order_that_passes_is_not_held(env, queue_prefix) -> None:
    stubs = Stubs()
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)
        with pytest.raises(NotWaitingForPerson, match=r"not awaiting review|has ended"):
            await review_order(env.client, request.order_id, "approve", "x", by="op")

    assert result.status == SagaState.COMPLETED
    assert stubs.calls["assess_risk"] == 1


async def test_a_held_order_cancelled_while_it_waits_is_undone(env, queue_prefix) -> None:
    stubs = Stubs()
    stubs.review_reasons = HELD
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await awaiting_review(handle)
        await handle.cancel(reason="the customer changed their mind")
        result = await order_result(handle)

    assert result.status == SagaState.CANCELLED
    assert result.compensations_run == ["release_inventory"]
    assert stubs.calls["create_payment_intent"] == 0


async def test_a_decision_no_worker_takes_says_so_and_changes_nothing(env, queue_prefix) -> None:
    request = order(("prod-456", 1, "19.99"))
    handle = await start_order(env.client, request, queue_prefix)  # no worker runs it

    with pytest.raises(NoWorkerAnswered, match="may still apply"):
        await person_update(
            env.client,
            request.order_id,
            REVIEW_UPDATE,
            ReviewDecision(decision="approve", reason="fine", by="op"),
            wait=timedelta(seconds=1),
        )
    await handle.terminate("the test is over")
