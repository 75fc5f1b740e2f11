"""A step's retry deadline in both placements, on the dev server's real clock: a remote
activity's deadline is the server's, a local one's the worker's wall clock (which a
time-skipping server never moves, so this is where the colocated deadline is seen to hold)."""

from __future__ import annotations

from datetime import timedelta

from order_saga.client import order_result, start_order
from order_saga.temporal import connect
from tests.helpers import order
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from workflows.order_state import SagaState


async def test_a_step_failing_past_its_deadline_is_undone_after_it(
    dev_server, queue_prefix, placement
) -> None:
    client = await connect(dev_server)
    stubs = Stubs(fail_first={"reserve_inventory": 100_000})
    request = order(("prod-456", 1, "19.99")).model_copy(update={"step_deadline_seconds": 10})
    async with stub_worker(client, queue_prefix, stubs, placement=placement):
        handle = await start_order(client, request, queue_prefix)
        result = await order_result(handle)

    assert (result.status, result.failed_step) == (SagaState.COMPENSATED, "reserve_inventory")
    # Remote, the server hands back the last attempt's failure; a local activity's deadline
    # ends it as a timeout (the last failure is in the marker of the attempt before).
    expected = "GatewayError" if placement == "per-service" else "Timeout"
    assert result.error_type == expected
    assert result.compensations_run == ["release_inventory"]
    # 2 s, 4 s, then the next backoff (8 s) would end past the 10 s deadline: three attempts.
    assert stubs.calls["reserve_inventory"] == 3
    described = await handle.describe()
    assert described.close_time is not None
    assert described.close_time - described.start_time < timedelta(seconds=30)
