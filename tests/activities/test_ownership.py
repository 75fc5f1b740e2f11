"""Each row belongs to the run chain that wrote it: another saga's steps, or another run's under
the same workflow id, refuse it, and their undos skip it."""

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
from activities.shipment.activities import ShipmentActivities
from activities.shipment.contracts import Address, CancelShipmentInput, CreateShipmentInput
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import product_factory
from tests.helpers import payment_and_shipment, stock

ADDRESS = Address(street="1 Main St", city="Springfield", zip_code="62701", country="US")


def saga(workflow_id: str) -> ActivityEnvironment:
    """Activities run as if scheduled by the workflow `workflow_id`."""
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=workflow_id)
    return env


@pytest.mark.parametrize("rogue_kind", ["another workflow id", "another run"])
def test_another_saga_can_neither_take_nor_undo_an_orders_rows(
    db: Engine, stripe_server, caplog: pytest.LogCaptureFixture, rogue_kind: str
) -> None:
    stripe, base_url = stripe_server
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    sku = product_factory(db)(stock=5)
    owner = saga(f"order-{order_id}")
    same_id = rogue_kind == "another run"
    rogue = saga(f"order-{order_id}" if same_id else f"rogue-{order_id}")
    runs = {"saga_run": "run-1"}, {"saga_run": "run-2" if same_id else "run-1"}
    inventory = InventoryActivities(db)
    payments = PaymentActivities(
        db, make_stripe_client(Settings(stripe_api_base=base_url)), GatewayBreaker()
    )
    shipments = ShipmentActivities(db, carrier="ACME", unserved_countries=frozenset())
    items = [OrderItem(sku=sku, quantity=2, unit_price=Decimal("19.99"))]
    reserve = ReserveInventoryInput(order_id=order_id, currency="usd", items=items, **runs[0])
    create = CreatePaymentIntentInput(
        **runs[0],
        order_id=order_id,
        customer_id="c1",
        amount=Decimal("39.98"),
        currency="usd",
        payment_method="pm_card_visa",
        idempotency_key=f"order-{order_id}",
    )
    ship = CreateShipmentInput(order_id=order_id, address=ADDRESS, **runs[0])
    owner.run(inventory.reserve_inventory, reserve)
    owner.run(payments.create_payment_intent, create)
    owner.run(shipments.create_shipment, ship)

    for step, request in (
        (inventory.reserve_inventory, reserve),
        (payments.create_payment_intent, create),
        (shipments.create_shipment, ship),
    ):
        with pytest.raises(ApplicationError) as refused:
            rogue.run(step, request.model_copy(update=runs[1]))
        assert refused.value.type == "OrderTakenByAnotherRun" and refused.value.non_retryable
        assert refused.value.details == (f"order-{order_id}", "run-1")

    release = rogue.run(
        inventory.release_inventory,
        ReleaseInventoryInput(order_id=order_id, skus=[sku], **runs[1]),
    )
    refund = rogue.run(
        payments.refund_payment,
        RefundPaymentInput(order_id=order_id, idempotency_key=f"rogue-{order_id}", **runs[1]),
    )
    cancel = rogue.run(shipments.cancel_shipment, CancelShipmentInput(order_id=order_id, **runs[1]))

    assert (release.released_units, refund.action, cancel.cancelled) == (0, "not_ours", False)
    assert stock(db, sku) == 3
    payment, shipment = payment_and_shipment(db, order_id)
    assert payment is not None and payment.status == "Pending"
    assert (payment.workflow_id, payment.saga_run) == (f"order-{order_id}", "run-1")
    assert shipment is not None and shipment.status == "Created"
    assert [i["status"] for i in stripe.ledger.intents_of_order(order_id)] == [
        "requires_confirmation"
    ]
    assert sum("leaves it alone" in r.getMessage() for r in caplog.records) == 3


def test_rows_from_before_runs_were_recorded_claim_the_order_but_serve_their_saga(
    db: Engine,
) -> None:
    """A reservation written before the upgrade (no run) refuses a new run's claim, while a
    saga whose reserve was scheduled before the upgrade (no run either) still finds it."""
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    sku = product_factory(db)(stock=5)
    inventory = InventoryActivities(db)
    items = [OrderItem(sku=sku, quantity=2, unit_price=Decimal("19.99"))]
    legacy = ReserveInventoryInput(order_id=order_id, currency="usd", items=items)
    env = saga(f"order-{order_id}")
    env.run(inventory.reserve_inventory, legacy)

    with pytest.raises(ApplicationError) as refused:
        env.run(inventory.reserve_inventory, legacy.model_copy(update={"saga_run": "run-9"}))
    assert refused.value.type == "OrderTakenByAnotherRun"
    assert env.run(inventory.reserve_inventory, legacy).total == Decimal("39.98")
    assert stock(db, sku) == 3
