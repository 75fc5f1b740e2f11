"""A worker process takes no more activities than it has threads to run them: an activity
taken with no thread free waits inside the process with its start-to-close timeout running
(at 200 orders in flight reservations timed out after 30 s and the run collapsed), where in
Temporal's queue it would only wait to start."""

from __future__ import annotations

import pytest

from order_saga.worker_group import SERVICES, build_worker
from tests.helpers import worker_settings


@pytest.mark.parametrize(
    "services", [SERVICES, ("payment",), ("orders", "inventory"), ("inventory", "shipment")]
)
async def test_activity_slots_never_exceed_the_threads_that_run_them(
    env, engine, queue_prefix, services
) -> None:
    group = build_worker(
        env.client,
        settings=worker_settings("http://127.0.0.1:1", queue_prefix),
        engine=engine,
        services=services,
    )
    # The mail worker's activities are coroutines: they take no thread.
    configs = [w.config() for w in group.workers if w.config().get("activity_executor")]
    threads = {id(c["activity_executor"]): c["activity_executor"]._max_workers for c in configs}  # type: ignore[union-attr]
    slots = sum(c["max_concurrent_activities"] or 0 for c in configs)
    assert configs and len(threads) == 1  # one pool per process
    assert slots <= next(iter(threads.values()))
