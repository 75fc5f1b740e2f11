"""The saga end to end on the time-skipping server, with the real activities and database."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.inventory.repository import stock_of
from activities.inventory.tables import InventoryReservation
from activities.payment.tables import Payment
from activities.shipment.tables import Shipment
from order_saga.client import order_result
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import FULL_UNDO, order, orders_queue, scheduled_activities
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult, SagaState
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement


async def run_saga(
    env: WorkflowEnvironment,
    engine: Engine,
    stripe_server: tuple[LocalStripe, str],
    queue_prefix: str,
    request: OrderRequest,
    placement: Placement,
) -> tuple[OrderResult, list[str]]:
    settings = Settings(
        stripe_api_base=stripe_server[1], queue_prefix=queue_prefix, placement=placement
    )
    async with build_worker(env.client, settings=settings, engine=engine, max_cached_workflows=0):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        result = await order_result(handle)
        return result, await scheduled_activities(handle)


def payment_row(engine: Engine, order_id: str) -> Payment | None:
    with transaction(engine) as session:
        return session.exec(select(Payment).where(Payment.order_id == order_id)).first()


def charged_intents(stripe: LocalStripe, order_id: str) -> list[dict[str, object]]:
    return stripe.ledger.intents_of_order(order_id, "succeeded")


async def test_success_reserves_charges_and_ships(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    cups, kettle = make_product(stock=5, price="19.99"), make_product(stock=5, price="49.50")
    request = order((cups, 2, "19.99"), (kettle, 1, "49.50"))

    result, activities = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement
    )

    assert result.status == SagaState.COMPLETED
    assert result.total == Decimal("89.48")
    assert activities == [
        "reserve_inventory",
        "create_payment_intent",
        "charge_payment",
        "create_shipment",
        "capture_payment",  # authorized at checkout, captured at the carrier's pickup
    ]
    with transaction(engine) as session:
        assert stock_of(session=session, sku=cups) == 3
        assert stock_of(session=session, sku=kettle) == 4
        shipment = session.exec(select(Shipment).where(Shipment.order_id == request.order_id)).one()
        assert shipment.tracking_number == result.tracking_number
        assert shipment.status == "Created"
    payment = payment_row(engine, request.order_id)
    assert payment is not None
    assert (payment.status, payment.amount) == ("Captured", Decimal("89.48"))
    assert payment.transaction_id == result.payment_intent_id
    intents = charged_intents(stripe_server[0], request.order_id)
    assert [i["amount"] for i in intents] == [8948]
    # Every Stripe request of the charge carried a key derived from the workflow id.
    keys = {key for _, _, key in stripe_server[0].requests if key and request.order_id in key}
    assert keys == {
        f"{request.workflow_id}/create",
        f"{request.workflow_id}/confirm",
        f"{request.workflow_id}/capture",
    }


@pytest.mark.parametrize(
    ("payment_method", "error_type"),
    [
        ("pm_card_chargeDeclined", "CardDeclined"),
        ("pm_card_chargeDeclinedInsufficientFunds", "InsufficientFunds"),
        ("pm_card_chargeDeclinedExpiredCard", "ExpiredCard"),
        ("pm_card_chargeDeclinedFraudulent", "Fraudulent"),
    ],
)
async def test_decline_releases_inventory_and_charges_nothing(
    env,
    engine,
    stripe_server,
    queue_prefix,
    make_product,
    placement,
    payment_method: str,
    error_type: str,
) -> None:
    sku = make_product(stock=3)
    request = order((sku, 2, "19.99"), payment_method=payment_method)

    result, activities = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement
    )

    assert (result.status, result.failed_step, result.error_type) == (
        SagaState.COMPENSATED,
        "charge_payment",
        error_type,
    )
    # A decline is final: one attempt, then the compensations newest first.
    assert activities == [
        "reserve_inventory",
        "create_payment_intent",
        "charge_payment",
        "refund_payment",
        "release_inventory",
    ]
    assert charged_intents(stripe_server[0], request.order_id) == []
    # The refund ran, found no money taken (it cancelled the declined intent), and says so.
    assert (result.compensations_run, result.compensations_skipped) == (
        ["release_inventory"],
        ["refund_payment"],
    )
    payment = payment_row(engine, request.order_id)
    assert payment is not None and payment.status == "Failed"
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 3


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


async def test_shipment_rejected_voids_then_releases(
    env, engine, stripe_server, queue_prefix, make_product, placement
) -> None:
    sku = make_product(stock=4)
    request = order((sku, 2, "19.99"), country="AQ")

    result, activities = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement
    )

    assert (result.status, result.failed_step, result.error_type) == (
        SagaState.COMPENSATED,
        "create_shipment",
        "ShipmentRejected",
    )
    assert activities == FULL_UNDO
    # No shipment was booked: its undo is skipped; the authorization is voided (nothing was
    # taken, so nothing is refunded) and the stock given back.
    assert result.compensations_run == ["refund_payment", "release_inventory"]
    assert result.compensations_skipped == ["cancel_shipment"]
    payment = payment_row(engine, request.order_id)
    assert payment is not None and payment.status == "Voided"
    stripe = stripe_server[0]
    assert charged_intents(stripe, request.order_id) == []
    [intent] = stripe.ledger.intents_of_order(request.order_id)
    assert (intent["status"], stripe.ledger.refunds_of(str(intent["id"]))) == ("canceled", [])
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 4
        rows = session.exec(
            select(InventoryReservation).where(InventoryReservation.order_id == request.order_id)
        ).all()
        assert [r.status for r in rows] == ["Released"]
