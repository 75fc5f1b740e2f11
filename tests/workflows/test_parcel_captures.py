"""What an order in parcels takes, with the services stubbed: a capture per parcel, for its
own lines (the last final), when the card has multicapture; one capture for every parcel
when it has not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from order_saga.client import order_result, start_order
from tests.helpers import order
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState
from workflows.parcel_state import ParcelState


@pytest.mark.parametrize(
    ("multicapture", "captures"),
    [
        (True, [(Decimal("39.98"), False), (Decimal("49.50"), True)]),
        (False, [(Decimal("89.48"), True)]),
    ],
)
async def test_each_parcel_is_captured_on_its_own_or_all_at_once(
    env, queue_prefix, multicapture: bool, captures: list[tuple[Decimal, bool]]
) -> None:
    stubs = Stubs()
    stubs.warehouses, stubs.multicapture = {"prod-789": "east"}, multicapture
    request = order(("prod-456", 2, "19.99"), ("prod-789", 1, "49.50"))
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)

    assert result.status == SagaState.COMPLETED
    assert stubs.captures == captures
    assert stubs.calls["create_shipment"] == 2
    assert [p.state for p in result.parcels] == [ParcelState.HANDED_OVER] * 2
    assert result.total == Decimal("89.48")
