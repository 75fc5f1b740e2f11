"""Returns of a shipped order, each its own workflow on real activities, a real database and
the local Stripe server: refunds of the returned lines (the rest with the last units), stock
back on the shelf, never more than was shipped or taken, and the window."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.returns.activities import ReturnActivities
from activities.returns.contracts import OpenReturnInput, ReturnedItem
from order_saga.client import order_result
from order_saga.client.after_sale import order_returns
from order_saga.client.errors import ReturnRefused
from order_saga.client.return_opening import open_return
from order_saga.client.returns import (
    receive_return,
    reject_return,
    return_result,
)
from order_saga.worker_group import build_worker
from tests.helpers import (
    order,
    orders_queue,
    payment_and_shipment,
    start_saga,
    stock,
    worker_settings,
)
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.return_request import ReturnState, ReturnView, return_id_for


def shipped_order(a: str, b: str, payment_method: str = "pm_card_visa") -> OrderRequest:
    request = order((a, 1, "19.99"), (b, 2, "5.00"), payment_method=payment_method)
    return request.model_copy(update={"handover_delay_seconds": 0})


async def ship(env, request: OrderRequest, prefix: str) -> None:  # type: ignore[no-untyped-def]
    result = await order_result(await start_saga(env, request, prefix))
    assert result.status == SagaState.COMPLETED


async def back(
    client: Client, view: ReturnView, unusable: list[ReturnedItem] | None = None
) -> ReturnView:
    await receive_return(client, view.return_id, unusable or [], by="operator")
    return await return_result(client, view.return_id)


def refunds(stripe, order_id: str) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    [intent] = stripe.ledger.intents_of_order(order_id)
    return [(r["amount"], r["status"]) for r in stripe.ledger.refunds_of(intent["id"])]


def item(sku: str, quantity: int = 1) -> list[ReturnedItem]:
    return [ReturnedItem(sku=sku, quantity=quantity)]


async def test_one_line_back_then_the_rest_then_nothing(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    request = shipped_order(a, b)
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        await ship(env, request, queue_prefix)
        first = await open_return(env.client, request.order_id, item(a), queue=queue, by="cust")
        assert (first.state, first.refund) == (ReturnState.AWAITING_PARCEL, Decimal("19.99"))
        first = await back(env.client, first)
        assert stock(engine, a) == 5  # 4 after the order, the returned one back
        # One of the two b's comes back unusable: refunded, not restocked. The last units
        # back: the rest of what was captured.
        with pytest.raises(ReturnRefused, match="is REFUNDED: cannot receive"):
            await receive_return(env.client, first.return_id, [], by="operator")  # a retry
        second = await open_return(env.client, request.order_id, item(b, 2), queue=queue, by="op")
        second = await back(env.client, second, item(b))
        with pytest.raises(ReturnRefused, match="was refunded in full: nothing is left"):
            await open_return(env.client, request.order_id, item(b), queue=queue, by="op")

    assert (first.state, second.state) == (ReturnState.REFUNDED, ReturnState.REFUNDED)
    assert second.refund == Decimal("10.00") and stock(engine, b) == 4  # 3 + 1 usable
    assert refunds(stripe_server[0], request.order_id) == [(1999, "succeeded"), (1000, "succeeded")]
    payment, _ = payment_and_shipment(engine, request.order_id)
    assert payment is not None and payment.status == "Refunded"  # everything came back
    shown = order_returns(engine, request.order_id)
    assert [(r.return_id, r.state, r.refund) for r in shown] == [
        (first.return_id, ReturnState.REFUNDED, Decimal("19.99")),
        (second.return_id, ReturnState.REFUNDED, Decimal("10.00")),
    ]


async def test_two_returns_racing_for_the_last_unit_one_is_refused(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    request = shipped_order(a, b)
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        await ship(env, request, queue_prefix)
        answers = await asyncio.gather(
            *(
                open_return(env.client, request.order_id, item(a), queue=queue, by=f"c{n}")
                for n in range(2)
            ),
            return_exceptions=True,
        )
        accepted = [x for x in answers if isinstance(x, ReturnView)]
        for view in accepted:  # ended, so no timer of it holds up the module's time skipping
            await reject_return(env.client, view.return_id, "test over", by="operator")
            assert (await return_result(env.client, view.return_id)).state == ReturnState.REJECTED
    opened = [x for x in answers if isinstance(x, ReturnView)]
    refused = [x for x in answers if isinstance(x, ReturnRefused)]
    assert len(opened) == 1 and len(refused) == 1, answers
    assert "0 left to return" in str(refused[0])
    assert [r.state for r in order_returns(engine, request.order_id)] == [ReturnState.REJECTED]


async def test_a_parcel_that_never_comes_expires_and_none_opens_after_the_window(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    request = shipped_order(a, b)
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        await ship(env, request, queue_prefix)
        opened = await open_return(env.client, request.order_id, item(a), queue=queue, by="c")
        await env.sleep(timedelta(days=31))  # past the parcel's due date
        done = await return_result(env.client, opened.return_id)
        late = OpenReturnInput(
            return_id=return_id_for(request.order_id, 9),
            order_id=request.order_id,
            number=9,
            items=item(b),
            opened_by="c",
            workflow_run="a-run",
            window_days=30,
            handed_over_at=datetime.now(UTC) - timedelta(days=31),
        )
        with pytest.raises(ApplicationError, match="return window closed on") as refused:
            ReturnActivities(engine).open_return(late)
        assert refused.value.type == "ReturnRefused"
    assert done.state == ReturnState.EXPIRED and "no parcel by" in done.detail
    assert stock(engine, a) == 4 and refunds(stripe_server[0], request.order_id) == []


async def test_a_cancelled_order_has_nothing_to_return(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a = make_product(stock=5)
    request = order((a, 1, "19.99"), payment_method="pm_card_chargeDeclined")
    request = request.model_copy(update={"handover_delay_seconds": 0})
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        handle = await start_saga(env, request, queue_prefix)
        await order_result(handle)
        with pytest.raises(ReturnRefused, match="cancelled or undone: nothing was shipped"):
            await open_return(env.client, request.order_id, item(a), queue=queue, by="c")
    assert order_returns(engine, request.order_id) == []


async def test_a_number_whose_return_temporal_forgot_is_not_taken_over(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    request = shipped_order(a, b)
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        await ship(env, request, queue_prefix)
        # Return 1 on the books, its workflow past Temporal's retention (never started here).
        forgotten = OpenReturnInput(
            return_id=return_id_for(request.order_id, 1),
            order_id=request.order_id,
            number=1,
            items=item(a),
            opened_by="c",
            workflow_run="a-run-long-gone",
            window_days=30,
        )
        ReturnActivities(engine).open_return(forgotten)
        second = await open_return(env.client, request.order_id, item(b), queue=queue, by="c")
        await reject_return(env.client, second.return_id, "test over", by="operator")
    assert second.return_id == return_id_for(request.order_id, 2)  # the next number
    shown = order_returns(engine, request.order_id)
    assert [(r.return_id, r.lines[0].sku) for r in shown] == [
        (forgotten.return_id, a),
        (second.return_id, b),
    ]
