"""Each row belongs to the saga that wrote it: another saga's steps refuse it, its undos skip it."""

from __future__ import annotations

import dataclasses
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.inventory.activities import InventoryActivities
from activities.inventory.contracts import OrderItem, ReleaseInventoryInput, ReserveInventoryInput
from activities.payment.activities import PaymentActivities
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import CreatePaymentIntentInput, RefundPaymentInput
from activities.payment.stripe_client import make_stripe_client
from activities.shipment.activities import ShipmentActivities
from activities.shipment.contracts import Address, CancelShipmentInput, CreateShipmentInput
from order_saga.settings import Settings
from tests.conftest import product_factory
from tests.helpers import payment_and_shipment, stock

ADDRESS = Address(street="1 Main St", city="Springfield", zip_code="62701", country="US")


def saga(workflow_id: str) -> ActivityEnvironment:
    """Activities run as if scheduled by the workflow `workflow_id`."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=workflow_id)
    return env


def test_another_saga_can_neither_take_nor_undo_an_orders_rows(
    db: Engine, stripe_server, caplog: pytest.LogCaptureFixture
) -> None:
    stripe, base_url = stripe_server
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    sku = product_factory(db)(stock=5)
    owner, rogue = saga(f"order-{order_id}"), saga(f"rogue-{order_id}")
    inventory = InventoryActivities(db)
    payments = PaymentActivities(
        db, make_stripe_client(Settings(stripe_api_base=base_url)), GatewayBreaker()
    )
    shipments = ShipmentActivities(db, carrier="ACME", unserved_countries=frozenset())
    items = [OrderItem(sku=sku, quantity=2, unit_price=Decimal("19.99"))]
    reserve = ReserveInventoryInput(order_id=order_id, currency="usd", items=items)
    create = CreatePaymentIntentInput(
        order_id=order_id,
        customer_id="c1",
        amount=Decimal("39.98"),
        currency="usd",
        payment_method="pm_card_visa",
        idempotency_key=f"order-{order_id}",
    )
    ship = CreateShipmentInput(order_id=order_id, address=ADDRESS)
    owner.run(inventory.reserve_inventory, reserve)
    owner.run(payments.create_payment_intent, create)
    owner.run(shipments.create_shipment, ship)

    for step, request in (
        (inventory.reserve_inventory, reserve),
        (payments.create_payment_intent, create),
        (shipments.create_shipment, ship),
    ):
        with pytest.raises(ApplicationError) as refused:
            rogue.run(step, request)
        assert refused.value.type == "OwnedByAnotherSaga" and refused.value.non_retryable

    release = rogue.run(
        inventory.release_inventory, ReleaseInventoryInput(order_id=order_id, skus=[sku])
    )
    refund = rogue.run(
        payments.refund_payment,
        RefundPaymentInput(order_id=order_id, idempotency_key=f"rogue-{order_id}"),
    )
    cancel = rogue.run(shipments.cancel_shipment, CancelShipmentInput(order_id=order_id))

    assert (release.released_units, refund.action, cancel.cancelled) == (0, "not_ours", False)
    assert stock(db, sku) == 3
    payment, shipment = payment_and_shipment(db, order_id)
    assert payment is not None and payment.status == "Pending"
    assert payment.workflow_id == f"order-{order_id}"
    assert shipment is not None and shipment.status == "Created"
    assert [i["status"] for i in stripe.ledger.intents_of_order(order_id)] == [
        "requires_confirmation"
    ]
    assert sum("belongs to saga" in r.getMessage() for r in caplog.records) == 3
