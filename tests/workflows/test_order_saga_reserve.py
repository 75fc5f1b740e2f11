"""An order the reservation refuses (out of stock, a price that does not match the
catalogue): nothing reserved, nothing charged, the stock as it was."""

from __future__ import annotations

from activities.database import transaction
from activities.inventory.stock import stock_of
from tests.helpers import order
from tests.workflows.saga_runs import charged_intents, payment_row, run_saga
from workflows.order_state import SagaState


async def test_out_of_stock_charges_nothing(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    plenty, scarce = make_product(stock=10), make_product(stock=1)
    request = order((plenty, 1, "19.99"), (scarce, 2, "19.99"))

    result, activities = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement
    )

    assert (result.status, result.failed_step, result.error_type) == (
        SagaState.COMPENSATED,
        "reserve_inventory",
        "OutOfStock",
    )
    assert activities == ["reserve_inventory", "release_inventory"]
    assert (result.compensations_run, result.compensations_skipped) == ([], ["release_inventory"])
    assert payment_row(engine, request.order_id) is None
    assert charged_intents(stripe_server[0], request.order_id) == []
    with transaction(engine) as session:
        assert stock_of(session=session, sku=plenty) == 10
        assert stock_of(session=session, sku=scarce) == 1


async def test_price_mismatch_is_rejected_before_anything_is_reserved(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    sku = make_product(stock=10, price="19.99")
    request = order((sku, 1, "0.01"))

    result, _ = await run_saga(env, engine, stripe_server, queue_prefix, request, placement)

    assert (result.failed_step, result.error_type) == ("reserve_inventory", "PriceMismatch")
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 10
    assert payment_row(engine, request.order_id) is None
