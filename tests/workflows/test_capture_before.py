"""The hold's real expiry: the saga captures before the card network's deadline (Stripe's
`capture_before` on the charge), not only within the order's configured window, and its
status says which deadline applied."""

from __future__ import annotations

from datetime import timedelta

from order_saga.client import order_result, query_status
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.worker_group import build_worker
from tests.conftest import serve_in_thread
from tests.helpers import order, start_saga, until, worker_settings
from tests.helpers import payment_and_shipment as rows
from tests.waits import captured_before_pickup
from workflows.order_state import SagaState


async def test_a_hold_shorter_than_the_window_is_captured_before_the_card_s_deadline(
    env, engine, queue_prefix, make_product
) -> None:
    # The bank holds an hour and 2 s: capture_before, less the saga's hour, is 2 s away (a
    # timer that short fires in real time, with no client waiting on a result to skip it).
    short = LocalStripe(ledger=Ledger(authorization_seconds=3600 + 2))
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99")).model_copy(update={"handover_delay_seconds": 86400})
    with serve_in_thread(short) as base_url:
        async with build_worker(
            env.client, settings=worker_settings(base_url, queue_prefix), engine=engine
        ):
            handle = await start_saga(env, request, queue_prefix)
            status = await captured_before_pickup(handle)  # a day before the carrier comes
            result = await order_result(handle)

    assert status.capture_by is not None
    assert status.capture_by.endswith("(the card's capture_before, less an hour)")
    [intent] = short.ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 1999)
    assert result.status == SagaState.COMPLETED and result.capture_by == status.capture_by
    payment, _ = rows(engine, request.order_id)
    assert payment is not None and payment.status == "Captured"


async def test_a_hold_longer_than_the_window_is_captured_by_the_order_s_window(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    # The saga's clock 8 days ahead of the bank's (as a test server's is once it skipped
    # through a subscriber's retries): the hold counts from the charge, so it still holds.
    await env.sleep(timedelta(days=8))
    sku = make_product(stock=2)
    request = order((sku, 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 3600, "capture_window_seconds": 3 * 86400}
    )
    async with build_worker(
        env.client, settings=worker_settings(stripe_server[1], queue_prefix), engine=engine
    ):
        handle = await start_saga(env, request, queue_prefix)

        async def told() -> bool:
            return (await query_status(handle)).capture_by is not None

        await until(told)
        status = await query_status(handle)
        await order_result(handle)
    # The local bank holds 7 days, the order's window is 3: the window applies.
    assert status.capture_by is not None
    assert status.capture_by.endswith("(the order's capture window)")
