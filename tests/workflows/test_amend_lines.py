"""Fewer units before pickup: the reservation shrinks and the money follows, captured for
the new total (or authorized for it when the order was not authorized yet); the customer's
mail lists what ships. Refused, naming why, for more units than held, a SKU the order does
not hold, nothing left, or once the payment was captured."""

from __future__ import annotations

from decimal import Decimal

import pytest

from activities.inventory.contracts import LineQuantity
from order_saga.client import NotAmendable, amend_order, order_result, review_order, start_order
from tests.helpers import order
from tests.waits import captured_before_pickup
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from tests.workflows.test_amend import past_pickup, until_state
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState

TWO_LINES = (("prod-456", 3, "19.99"), ("prod-789", 1, "49.50"))


def two_lines(pickup_in: int = 3600, **changes: object) -> OrderRequest:
    request = order(*TWO_LINES)
    return request.model_copy(
        update={"handover_delay_seconds": pickup_in, "customer_email": "ann@example.com"} | changes
    )


def keep(sku: str, quantity: int) -> list[LineQuantity]:
    return [LineQuantity(sku=sku, quantity=quantity)]


async def test_fewer_units_are_captured_for_less_and_the_mail_lists_what_ships(
    env, queue_prefix
) -> None:
    stubs, request = Stubs(), two_lines()
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        status = await amend_order(env.client, request.order_id, None, lines=keep("prod-456", 1))
        await past_pickup(env)
        result = await order_result(handle)

    assert stubs.shrunk == [{"prod-456": 1}]
    assert stubs.amounts == {
        "create_payment_intent": Decimal("109.47"),  # authorized for the order as asked
        "capture_payment": Decimal("69.49"),  # taken for what ships: 19.99 + 49.50
    }
    assert status.total == result.total == Decimal("69.49")
    [mail] = [m for m in stubs.mails if m.kind == "confirmed"]
    assert [(line.sku, line.quantity) for line in mail.lines] == [("prod-456", 1), ("prod-789", 1)]
    assert mail.total == Decimal("69.49")
    assert [i.action for i in result.interventions] == ["amend: prod-456 to 1"]


async def test_before_the_authorization_only_the_new_total_is_held(env, queue_prefix) -> None:
    stubs, request = Stubs(), two_lines()
    stubs.review_reasons = ["new orders are held for review (the hold switch is on)"]
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_REVIEW)
        await amend_order(env.client, request.order_id, None, lines=keep("prod-789", 0))
        await review_order(env.client, request.order_id, "approve", "fine", by="op")
        await past_pickup(env)
        result = await order_result(handle)

    assert stubs.amounts["create_payment_intent"] == Decimal("59.97")  # 3 x 19.99, no 49.50
    assert stubs.amounts["capture_payment"] == Decimal("59.97")
    assert result.total == Decimal("59.97")


async def test_refused_naming_why(env, queue_prefix) -> None:
    stubs, request = Stubs(), two_lines()
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        order_id = request.order_id
        with pytest.raises(NotAmendable, match="can only go down from 3 units"):
            await amend_order(env.client, order_id, None, lines=keep("prod-456", 4))
        with pytest.raises(NotAmendable, match="has no line prod-123"):
            await amend_order(env.client, order_id, None, lines=keep("prod-123", 1))
        nothing = [
            LineQuantity(sku="prod-456", quantity=0),
            LineQuantity(sku="prod-789", quantity=0),
        ]
        with pytest.raises(NotAmendable, match="leaves at least one unit"):
            await amend_order(env.client, order_id, None, lines=nothing)
        await past_pickup(env)
        result = await order_result(handle)

    assert stubs.shrunk == [] and result.total == Decimal("109.47")


async def test_refused_once_the_payment_was_captured(env, queue_prefix) -> None:
    stubs, request = Stubs(), two_lines(capture_window_seconds=1)  # captured before pickup
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await captured_before_pickup(handle)
        with pytest.raises(NotAmendable, match="return the units once delivered"):
            await amend_order(env.client, request.order_id, None, lines=keep("prod-456", 1))
        await handle.cancel(reason="the customer changed their mind")
        result = await order_result(handle)

    assert result.status == SagaState.CANCELLED and stubs.shrunk == []


async def test_a_refund_after_capturing_less_says_what_it_gives_back(env, queue_prefix) -> None:
    stubs, request = Stubs(), two_lines(capture_window_seconds=8)  # captured before pickup
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        await until_state(handle, SagaState.AWAITING_HANDOVER)
        await amend_order(env.client, request.order_id, None, lines=keep("prod-456", 1))
        await captured_before_pickup(handle)
        await handle.cancel(reason="changed my mind")
        result = await order_result(handle)
        summaries = [
            e.user_metadata.summary.data.decode()
            async for e in handle.fetch_history_events()
            if e.user_metadata.HasField("summary")
        ]

    assert result.status == SagaState.CANCELLED and stubs.amounts["capture_payment"] == Decimal(
        "69.49"
    )
    assert any("refund 69.49 USD" in s for s in summaries), summaries
    assert not any("refund 109.47" in s for s in summaries)
