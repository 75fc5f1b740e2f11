"""What a saga is started with and what its worker admits, read back as an operator would:
the saga's history, the worker's options."""

from __future__ import annotations

from order_saga.client import start_order
from order_saga.client.starting import WORKFLOW_TASK_TIMEOUT
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from order_saga.worker_options import ADMITTED_TASKS, STICKY_WAIT
from tests.helpers import order


async def test_a_saga_starts_with_the_servers_default_task_timeout(env, queue_prefix) -> None:
    handle = await start_order(env.client, order(("prod-456", 1, "19.99")), queue_prefix)
    try:
        async for event in handle.fetch_history_events():
            started = event.workflow_execution_started_event_attributes
            assert started.workflow_task_timeout.ToTimedelta() == WORKFLOW_TASK_TIMEOUT
            break
    finally:
        await handle.terminate("only its start was wanted")
    assert WORKFLOW_TASK_TIMEOUT.total_seconds() == 10


async def test_a_worker_admits_only_the_sagas_it_serves_promptly(env, engine, queue_prefix) -> None:
    """Colocated, a saga's task runs its steps: more tasks at once than this only made every
    task longer (seconds at 50 in flight), and a killed worker's sagas wait for each. Per
    service, 100 at once (the SDK's) held 30 MB more at 200 in flight for the same rate."""
    admitted, sticky = {}, set()
    for placement in ("colocated", "per-service"):
        settings = Settings(placement=placement, queue_prefix=f"{queue_prefix}-{placement}")
        group = build_worker(env.client, settings=settings, engine=engine)
        [orders] = [w for w in group.workers if w.task_queue.endswith("-orders")]
        admitted[placement] = orders.config().get("max_concurrent_workflow_tasks")
        sticky.add(orders.config().get("sticky_queue_schedule_to_start_timeout"))
    assert admitted == {"colocated": ADMITTED_TASKS, "per-service": ADMITTED_TASKS}
    assert 2 <= ADMITTED_TASKS <= 16
    # A killed worker's sagas go to any worker after this, not the SDK's 10 s.
    assert sticky == {STICKY_WAIT} and STICKY_WAIT.total_seconds() <= 3
