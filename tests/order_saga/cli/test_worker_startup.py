"""Start-up order does not matter: a worker started before Temporal or its database waits,
saying so, and serves sagas once they are up."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from order_saga.client import order_result
from order_saga.embedded.temporal_server import start_local_server
from order_saga.temporal import connect
from testkit.tcp_proxy import tcp_proxy
from tests.helpers import order, orders_queue
from tests.metrics_scrape import probe, saga_counter, samples
from tests.ports import free_port, free_port_for_a_late_server
from tests.processes import read_until, start_worker, stop_worker
from workflows.order_state import OrderResult, SagaState
from workflows.order_workflow import OrderSaga
from workflows.saga_metrics import FINISHED, OUTCOMES


async def run_one_saga(client, queue_prefix: str, make_product) -> OrderResult:  # type: ignore[no-untyped-def]
    request = order((make_product(stock=3), 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 0}
    )
    result: OrderResult = await order_result(
        await client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
    )
    return result


async def test_a_worker_started_before_temporal_waits_then_serves(
    cli_env: dict[str, str], queue_prefix: str, make_product
) -> None:
    port = free_port_for_a_late_server()
    worker = start_worker(f"127.0.0.1:{port}", cli_env)
    try:
        said = read_until(worker, "waiting for Temporal", seconds=30, stream="stderr")
        assert f"127.0.0.1:{port}" in said and worker.poll() is None
        server = await start_local_server(port=port)
        try:
            result = await run_one_saga(server.client, queue_prefix, make_product)
        finally:
            await server.shutdown()
    finally:
        worker.terminate()
        worker.communicate(timeout=30)
    assert result.status == SagaState.COMPLETED


async def test_a_worker_started_before_its_database_waits_then_serves(
    dev_server: str, engine: Engine, cli_env: dict[str, str], queue_prefix: str, make_product
) -> None:
    if engine.url.get_backend_name() != "postgresql":
        pytest.skip("a database that can be unreachable: PostgreSQL (DATABASE_URL)")
    url = engine.url
    with tcp_proxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        proxy.cut()
        through_proxy = url.set(port=proxy.port).render_as_string(hide_password=False)
        worker = start_worker(dev_server, {**cli_env, "DATABASE_URL": through_proxy})
        try:
            said = read_until(worker, "waiting for the database", seconds=30, stream="stderr")
            assert f":{proxy.port}" in said and worker.poll() is None
            proxy.restore()
            result = await run_one_saga(await connect(dev_server), queue_prefix, make_product)
        finally:
            stop_worker(worker)
    assert result.status == SagaState.COMPLETED


def test_the_saga_counters_are_served_from_the_first_scrape(cli_env: dict[str, str]) -> None:
    """Before the worker reaches Temporal (here: never), its metrics port already serves every
    saga counter at 0, so the first scrape of a new worker has the series an alert needs."""
    metrics_port = free_port()
    worker = start_worker(
        f"127.0.0.1:{free_port_for_a_late_server()}", cli_env, "--metrics-port", str(metrics_port)
    )
    try:
        read_until(worker, "waiting for Temporal", seconds=30, stream="stderr")
        found = samples(metrics_port)
        alive, ready = probe(metrics_port, "/healthz"), probe(metrics_port, "/readyz")
    finally:
        stop_worker(worker)
    # Alive but not ready: a rollout waits for it, a liveness probe does not restart it.
    assert alive == (200, {"status": "ok"})
    assert ready[0] == 503 and ready[1]["status"] == "not ready", ready
    assert found[("process_resident_memory_bytes", frozenset())] > 0
    for outcome in OUTCOMES:
        assert saga_counter(found, f"{FINISHED}_total", outcome=outcome) == 0
