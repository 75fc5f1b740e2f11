"""A return's refund the bank refuses waits for a person: a retry refunds once, and a refund
settled by hand keeps its units claimed (real activities, database and local Stripe)."""

from __future__ import annotations

import pytest

from order_saga.client.after_sale import order_returns
from order_saga.client.errors import ReturnRefused
from order_saga.client.return_opening import open_return
from order_saga.client.returns import (
    receive_return,
    resolve_return,
    return_result,
    return_status,
)
from order_saga.worker_group import build_worker
from tests.helpers import orders_queue, stock, until, worker_settings
from tests.workflows.test_returns import item, refunds, ship, shipped_order
from workflows.order_request import OrderRequest
from workflows.return_request import ReturnState


async def refund_refused(env, request: OrderRequest, queue: str, sku: str) -> str:  # type: ignore[no-untyped-def]
    """Ship the order, return one unit of `sku`, receive it; the id once its refund is refused."""
    await ship(env, request, queue.removesuffix("-orders"))
    opened = await open_return(env.client, request.order_id, item(sku), queue=queue, by="c")
    await receive_return(env.client, opened.return_id, [], by="operator")

    async def failed() -> bool:
        view = await return_status(env.client, opened.return_id)
        return bool(view.state == ReturnState.REFUND_FAILED)

    await until(failed)
    return opened.return_id


async def test_a_refused_refund_waits_for_a_person_whose_retry_refunds_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    request = shipped_order(a, b, payment_method="pm_card_refundFailsOnce")
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        return_id = await refund_refused(env, request, queue, a)
        [row] = order_returns(engine, request.order_id)
        assert row.state == ReturnState.REFUND_FAILED
        await resolve_return(env.client, return_id, "retry", by="operator")
        done = await return_result(env.client, return_id)
    assert done.state == ReturnState.REFUNDED
    assert refunds(stripe_server[0], request.order_id) == [(1999, "failed"), (1999, "succeeded")]
    assert stock(engine, a) == 5


async def test_a_refund_settled_by_hand_still_claims_its_units(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5, price="5.00")
    request = shipped_order(a, b, payment_method="pm_card_refundFail")
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        return_id = await refund_refused(env, request, queue, a)
        await resolve_return(
            env.client, return_id, "mark-resolved", by="operator", note="bank transfer"
        )
        done = await return_result(env.client, return_id)
        with pytest.raises(ReturnRefused, match="0 left to return"):
            await open_return(env.client, request.order_id, item(a), queue=queue, by="c")
    assert done.state == ReturnState.RESOLVED and "bank transfer" in done.detail
    assert [r.state for r in order_returns(engine, request.order_id)] == [ReturnState.RESOLVED]
