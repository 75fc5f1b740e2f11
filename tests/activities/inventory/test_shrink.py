"""A reservation amended to fewer units, on SQLite and PostgreSQL: the units back on the
shelf once, the release after it gives back only what is left, and a released order takes
no amendment."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.inventory.activities import InventoryActivities
from activities.inventory.contracts import (
    LineQuantity,
    ReleaseInventoryInput,
    ShrinkReservationInput,
)
from tests.activities.inventory.test_inventory import reserve_input, stock
from tests.conftest import product_factory


def test_fewer_units_go_back_once_and_the_release_gives_back_the_rest(db: Engine) -> None:
    sku = product_factory(db)(stock=5)
    activities, env = InventoryActivities(db), ActivityEnvironment()
    request = reserve_input(sku, qty=3)
    env.run(activities.reserve_inventory, request)
    shrink = ShrinkReservationInput(
        order_id=request.order_id, lines=[LineQuantity(sku=sku, quantity=1)]
    )

    assert env.run(activities.shrink_reservation, shrink).released_units == 2
    assert env.run(activities.shrink_reservation, shrink).released_units == 0  # a repeat
    assert stock(db, sku) == 4
    release = ReleaseInventoryInput(order_id=request.order_id, skus=[sku])
    assert env.run(activities.release_inventory, release).released_units == 1
    assert stock(db, sku) == 5  # every unit back, none twice
    with pytest.raises(ApplicationError) as late:
        env.run(activities.shrink_reservation, shrink)
    assert (late.value.type, late.value.non_retryable) == ("OrderAlreadyCompensated", True)
    assert stock(db, sku) == 5
