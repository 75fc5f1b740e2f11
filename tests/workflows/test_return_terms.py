"""A return's terms beyond the units: the order's own window (kept on its shipment, so it
holds once Temporal has forgotten the saga) and the client's Idempotency-Key (the same
request again, even twice at once, opens one return; the key with other items or reason, none)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from activities.returns.activities import ReturnActivities
from activities.returns.contracts import OpenReturnInput, ReturnedItem
from order_saga.client import order_result
from order_saga.client.after_sale import order_returns
from order_saga.client.errors import IdempotencyKeyReused, ReturnRefused
from order_saga.client.return_opening import open_return
from order_saga.client.returns import reject_return
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue, start_saga, worker_settings
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.return_request import ReturnState, ReturnView, return_id_for


def shipped(sku: str, **terms: int) -> OrderRequest:
    request = order((sku, 2, "19.99"), payment_method="pm_card_visa")
    return request.model_copy(update={"handover_delay_seconds": 0, **terms})


def item(sku: str, quantity: int = 1) -> list[ReturnedItem]:
    return [ReturnedItem(sku=sku, quantity=quantity)]


async def test_an_orders_own_window_decides_not_the_deployments(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a, b = make_product(stock=5), make_product(stock=5)
    closed, long = shipped(a, return_window_days=0), shipped(b, return_window_days=60)
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        for request in (closed, long):
            done = await order_result(await start_saga(env, request, queue_prefix))
            assert done.status == SagaState.COMPLETED
        # No returns on this order: the deployment's 30 days do not reopen them.
        with pytest.raises(ReturnRefused, match="return window closed on"):
            await open_return(env.client, closed.order_id, item(a), queue=queue, by="c")
    # Handed over 45 days ago: past the deployment's 30, within the order's own 60.
    late = OpenReturnInput(
        return_id=return_id_for(long.order_id, 1),
        order_id=long.order_id,
        number=1,
        items=item(b),
        opened_by="c",
        workflow_run="a-run",
        window_days=30,
        handed_over_at=datetime.now(UTC) - timedelta(days=45),
    )
    opened = ReturnActivities(engine).open_return(late)
    assert opened.window_ends.date() == (datetime.now(UTC) + timedelta(days=15)).date()
    assert order_returns(engine, closed.order_id) == []


async def test_the_same_key_opens_one_return_even_twice_at_once(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    a = make_product(stock=5)
    request = shipped(a)
    queue = orders_queue(queue_prefix)
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(env.client, settings=settings, engine=engine):
        await order_result(await start_saga(env, request, queue_prefix))

        async def ask(key: str, quantity: int = 1) -> ReturnView:
            return await open_return(
                env.client, request.order_id, item(a, quantity), queue=queue, by="c", key=key
            )

        twice = await asyncio.gather(ask("k-1"), ask("k-1"))
        again = await ask("k-1")  # its answer was lost: asked once more, later
        with pytest.raises(IdempotencyKeyReused, match=r"opened .* for other items or reason"):
            await ask("k-1", quantity=2)
        other = await ask("k-2")  # another key, another return: the second unit
        for view in (again, other):  # ended: no timer holds up the module's time skipping
            await reject_return(env.client, view.return_id, "test over", by="operator")
    assert len({view.return_id for view in [*twice, again]}) == 1
    assert again.state == ReturnState.AWAITING_PARCEL
    rows = order_returns(engine, request.order_id)
    assert [(r.return_id, r.state) for r in rows] == [
        (again.return_id, ReturnState.REJECTED),
        (other.return_id, ReturnState.REJECTED),
    ]
