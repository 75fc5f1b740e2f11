"""The events of an order a person settles: an undo that fails for good is announced
(`order.needs_attention`, with what failed), and so is the person's settlement
(`order.resolved`). Its own module: once a saga has started its event delivery, the
time-skipping server stops skipping time for the module's later tests."""

from __future__ import annotations

from order_saga.client import mark_resolved, order_result, start_order
from tests.helpers import order, until
from tests.waits import waiting_for_person
from tests.workflows.stub_worker import stub_worker
from tests.workflows.test_resolution import rejected
from workflows.order_state import SagaState


async def test_a_failed_undo_and_its_settlement_are_announced_in_order(env, queue_prefix) -> None:
    stubs, _, activities = rejected()  # the carrier refuses, then the bank refuses the refund
    stubs.subscribers = [1]
    request = order(("prod-456", 1, "19.99"), country="AQ")
    async with stub_worker(env, queue_prefix, stubs, activities=activities):
        handle = await start_order(env.client, request, queue_prefix)
        await waiting_for_person(handle)

        async def announced_the_wait() -> bool:
            return len(stubs.events) >= 3

        await until(announced_the_wait)  # while the saga still waits
        await mark_resolved(env.client, request.order_id, "refunded by bank transfer")
        assert (await order_result(handle)).status == SagaState.RESOLVED

        async def announced_the_end() -> bool:
            return len(stubs.events) >= 4

        await until(announced_the_end)

    assert [e.type for e in stubs.events] == [
        "order.started",
        "payment.authorized",
        "order.needs_attention",
        "order.resolved",
    ]
    assert [e.sequence for e in stubs.events] == [1, 2, 3, 4]
    [failure] = stubs.events[2].data["compensation_failures"]
    assert (failure["activity"], failure["error_type"]) == ("refund_payment", "RefundFailed")
    assert stubs.events[3].data["resolution"]["note"] == "refunded by bank transfer"
