"""Stock per warehouse on SQLite and PostgreSQL: each line whole from one warehouse, the
fewest warehouses per order, and every unit back on the shelf it came from."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.inventory.activities import InventoryActivities
from activities.inventory.contracts import (
    LineQuantity,
    OrderItem,
    ReleaseInventoryInput,
    ReserveInventoryInput,
    RestockInput,
    RestockLine,
    ShrinkReservationInput,
)
from activities.inventory.stock import stock_of
from tests.conftest import product_factory


def order(*lines: tuple[str, int]) -> ReserveInventoryInput:
    return ReserveInventoryInput(
        order_id=f"t-{uuid.uuid4().hex[:12]}",
        currency="usd",
        items=[OrderItem(sku=s, quantity=q, unit_price=Decimal("19.99")) for s, q in lines],
    )


def on_hand(db: Engine, sku: str, warehouse: str) -> int | None:
    with transaction(db) as session:
        return stock_of(session=session, sku=sku, warehouse=warehouse)


def test_a_line_the_home_warehouse_cannot_cover_ships_whole_from_one_that_can(db: Engine) -> None:
    sku = product_factory(db)(stock=1, elsewhere={"east": 2, "west": 5})
    request = order((sku, 3))

    reserved = ActivityEnvironment().run(InventoryActivities(db).reserve_inventory, request)

    assert [(line.sku, line.warehouse) for line in reserved.lines] == [(sku, "west")]
    assert [on_hand(db, sku, w) for w in ("main", "east", "west")] == [1, 2, 2]


def test_an_order_comes_from_the_fewest_warehouses(db: Engine) -> None:
    make = product_factory(db)
    # Home holds a and b; east holds b and c; west holds all three: one parcel, from west.
    a = make(stock=5, elsewhere={"west": 5})
    b = make(stock=5, elsewhere={"east": 5, "west": 5})
    c = make(stock=0, elsewhere={"east": 5, "west": 5})

    reserved = ActivityEnvironment().run(
        InventoryActivities(db).reserve_inventory, order((a, 1), (b, 1), (c, 1))
    )

    assert {line.warehouse for line in reserved.lines} == {"west"}
    assert [on_hand(db, sku, "main") for sku in (a, b)] == [5, 5]


def test_lines_no_one_warehouse_holds_come_from_two_and_go_back_where_they_came_from(
    db: Engine,
) -> None:
    make = product_factory(db)
    a = make(stock=4)  # only at home
    b = make(stock=0, elsewhere={"east": 4})  # only in the east
    env, activities = ActivityEnvironment(), InventoryActivities(db)
    request = order((a, 3), (b, 2))

    first = env.run(activities.reserve_inventory, request)
    again = env.run(activities.reserve_inventory, request)  # an answer lost: the same plan

    assert {line.sku: line.warehouse for line in first.lines} == {a: "main", b: "east"}
    assert again == first
    assert (on_hand(db, a, "main"), on_hand(db, b, "east")) == (1, 2)
    shrink = ShrinkReservationInput(
        order_id=request.order_id, lines=[LineQuantity(sku=b, quantity=1)]
    )
    env.run(activities.shrink_reservation, shrink)
    assert on_hand(db, b, "east") == 3  # the unit given up, back in the east
    restock = RestockInput(
        order_id=request.order_id,
        return_id=f"{request.order_id}-r1",
        lines=[RestockLine(sku=b, quantity=1)],
    )
    env.run(activities.restock_return, restock)
    assert (on_hand(db, b, "east"), on_hand(db, b, "main")) == (4, 0)  # returned where it shipped
    release = ReleaseInventoryInput(order_id=request.order_id, skus=[a, b])
    assert env.run(activities.release_inventory, release).released_units == 4
    assert (on_hand(db, a, "main"), on_hand(db, b, "east")) == (4, 5)


@pytest.mark.parametrize("split", [True, False])
def test_a_line_held_only_in_parts_is_out_of_stock_and_nothing_is_taken(
    db: Engine, split: bool
) -> None:
    make = product_factory(db)
    plenty = make(stock=10)
    scarce = make(stock=2, elsewhere={"east": 2} if split else {})

    with pytest.raises(ApplicationError) as failed:
        ActivityEnvironment().run(
            InventoryActivities(db).reserve_inventory, order((plenty, 1), (scarce, 3))
        )

    assert failed.value.type == "OutOfStock"
    assert scarce in str(failed.value)  # the line it cannot cover, not the first line
    assert on_hand(db, plenty, "main") == 10
