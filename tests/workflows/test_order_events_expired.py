"""The events of an order not shipped by its deadline: `order.expired` after the undo. Its own
module: a saga's abandoned event delivery, left behind when a test's worker stops, keeps
the time-skipping server from skipping time for the module's later tests."""

from __future__ import annotations

from order_saga.client import order_result, start_order
from tests.helpers import order, until
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState


async def test_an_expired_order_is_announced_after_its_undo(env, queue_prefix) -> None:
    stubs = Stubs(fail_first={"create_shipment": 10_000})  # the carrier is down for days
    stubs.subscribers = [1]
    request = order(("prod-456", 1, "19.99")).model_copy(
        update={"deadline_seconds": 600, "step_deadline_seconds": 86400}  # the order gives up first
    )
    async with stub_worker(env, queue_prefix, stubs):
        handle = await start_order(env.client, request, queue_prefix)
        result = await order_result(handle)  # time skips to the deadline

        async def announced() -> bool:
            return len(stubs.events) >= 3

        await until(announced)

    assert result.status == SagaState.EXPIRED
    assert [e.type for e in stubs.events] == [
        "order.started",
        "payment.authorized",
        "order.expired",
    ]
    expired = stubs.events[2].data
    assert expired["error_type"] == "DeadlineExpired"
    assert expired["compensations_run"] == [
        "cancel_shipment",
        "refund_payment",
        "release_inventory",
    ]
