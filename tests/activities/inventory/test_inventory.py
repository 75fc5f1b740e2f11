"""Inventory activities on SQLite and PostgreSQL: no overselling, idempotent, late-proof."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.inventory.activities import InventoryActivities
from activities.inventory.contracts import OrderItem, ReleaseInventoryInput, ReserveInventoryInput
from activities.inventory.stock import stock_of
from activities.inventory.tables import InventoryReservation
from tests.conftest import product_factory


def reserve_input(sku: str, qty: int = 1, price: str = "19.99") -> ReserveInventoryInput:
    return ReserveInventoryInput(
        order_id=f"t-{uuid.uuid4().hex[:12]}",
        currency="usd",
        items=[OrderItem(sku=sku, quantity=qty, unit_price=Decimal(price))],
    )


def stock(db: Engine, sku: str) -> int | None:
    with transaction(db) as session:
        return stock_of(session=session, sku=sku)


def test_fifty_concurrent_reservations_for_ten_units_never_oversell(db: Engine) -> None:
    sku = product_factory(db)(stock=10)
    activities = InventoryActivities(db)

    def attempt(_: int) -> bool:
        try:
            ActivityEnvironment().run(activities.reserve_inventory, reserve_input(sku))
            return True
        except ApplicationError as err:
            assert err.type == "OutOfStock"
            return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(50)))

    assert outcomes.count(True) == 10
    assert stock(db, sku) == 0
    with transaction(db) as session:
        rows = session.exec(select(InventoryReservation).where(InventoryReservation.sku == sku))
        assert sum(r.quantity for r in rows) == 10


def test_reserve_and_release_are_idempotent(db: Engine) -> None:
    sku = product_factory(db)(stock=5)
    activities = InventoryActivities(db)
    request = reserve_input(sku, qty=3)
    env = ActivityEnvironment()

    first = env.run(activities.reserve_inventory, request)
    second = env.run(activities.reserve_inventory, request)
    assert first == second
    assert first.total == Decimal("59.97")
    assert stock(db, sku) == 2

    release = ReleaseInventoryInput(order_id=request.order_id, skus=[sku])
    assert env.run(activities.release_inventory, release).released_units == 3
    assert env.run(activities.release_inventory, release).released_units == 0
    assert stock(db, sku) == 5


def test_release_before_reserve_blocks_a_late_reservation(db: Engine) -> None:
    sku = product_factory(db)(stock=5)
    activities = InventoryActivities(db)
    request = reserve_input(sku, qty=2)
    env = ActivityEnvironment()

    env.run(
        activities.release_inventory, ReleaseInventoryInput(order_id=request.order_id, skus=[sku])
    )
    with pytest.raises(ApplicationError) as raised:
        env.run(activities.reserve_inventory, request)
    assert (raised.value.type, raised.value.non_retryable) == ("OrderAlreadyCompensated", True)
    assert stock(db, sku) == 5


@pytest.mark.parametrize(
    ("sku_kind", "qty", "price", "error_type"),
    [
        ("unknown", 1, "19.99", "UnknownProduct"),
        ("known", 6, "19.99", "OutOfStock"),
        ("known", 1, "18.99", "PriceMismatch"),
    ],
)
def test_business_failures_are_final_and_reserve_nothing(
    db: Engine, sku_kind: str, qty: int, price: str, error_type: str
) -> None:
    make = product_factory(db)
    other, sku = make(stock=5), make(stock=5)
    request = ReserveInventoryInput(
        order_id=f"t-{uuid.uuid4().hex[:12]}",
        currency="usd",
        items=[
            OrderItem(sku=other, quantity=1, unit_price=Decimal("19.99")),
            OrderItem(
                sku=sku if sku_kind == "known" else "nope", quantity=qty, unit_price=Decimal(price)
            ),
        ],
    )
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(InventoryActivities(db).reserve_inventory, request)
    assert (raised.value.type, raised.value.non_retryable) == (error_type, True)
    assert stock(db, other) == 5 and stock(db, sku) == 5
