"""The saga end to end on the time-skipping server, with the real activities and database:
an order shipped, a decline, a shipment refused. Refused at the reservation:
test_order_saga_reserve.py."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlmodel import select

from activities.database import transaction
from activities.inventory.stock import stock_of
from activities.inventory.tables import InventoryReservation
from activities.shipment.tables import Shipment
from tests.helpers import FULL_UNDO, order
from tests.workflows.saga_runs import charged_intents, payment_row, run_saga
from workflows.order_state import SagaState


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
        "assess_risk",  # in the saga's own worker, in both placements
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
        "assess_risk",
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
