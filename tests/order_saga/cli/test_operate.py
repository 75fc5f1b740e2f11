"""Operating it: services split across worker processes, metrics, finding sagas by state."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

from order_saga.client import order_result
from order_saga.settings import Settings
from order_saga.temporal import connect
from order_saga.worker_group import build_worker
from tests.helpers import order, order_data, orders_queue
from tests.metrics_scrape import metrics, probe, saga_counter, samples
from tests.ports import free_port
from tests.processes import order_saga, start_worker, stop_worker
from workflows.order_workflow import OrderSaga
from workflows.saga_metrics import FINISHED, HELP


async def test_services_in_separate_processes_complete_a_saga_and_serve_metrics(
    dev_server, cli_env, make_product, tmp_path: Path
) -> None:
    orders_port, payment_port = free_port(), free_port()
    workers = [
        start_worker(
            dev_server,
            cli_env,
            *("--service", "orders", "--placement", "per-service"),
            *("--metrics-port", str(orders_port)),
        ),
        start_worker(dev_server, cli_env, "--service", "inventory"),
        start_worker(
            dev_server, cli_env, "--service", "payment", "--metrics-port", str(payment_port)
        ),
        start_worker(dev_server, cli_env, "--service", "shipment"),
        # Every saga asks it for the event subscribers at its start.
        start_worker(dev_server, cli_env, "--service", "notification"),
    ]
    try:
        before = await asyncio.to_thread(samples, orders_port)
        for outcome in ("completed", "compensated", "cancelled", "compensation_failed"):
            assert saga_counter(before, "order_saga_sagas_finished_total", outcome=outcome) == 0
        assert saga_counter(before, "order_saga_sagas_started_total") == 0
        assert (
            saga_counter(before, "order_saga_compensation_failures_total", undo="refund_payment")
            == 0
        )
        order_file = tmp_path / "order.json"
        order_file.write_text(
            json.dumps(
                order_data(
                    order_id=f"split-{uuid.uuid4().hex[:8]}",
                    handover_delay_seconds=0,
                    items=[{"sku": make_product(stock=2), "quantity": 1, "unit_price": "19.99"}],
                )
            )
        )
        done = await asyncio.to_thread(
            order_saga,
            "start",
            "--order-file",
            str(order_file),
            "--wait",
            "-o",
            "json",
            "--address",
            dev_server,
            env=cli_env,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "COMPLETED"

        after = await asyncio.to_thread(samples, orders_port)
        assert saga_counter(after, "order_saga_sagas_started_total") == 1
        assert saga_counter(after, "order_saga_sagas_finished_total", outcome="completed") == 1
        assert saga_counter(after, "order_saga_sagas_finished_total", outcome="compensated") == 0
        assert any(name == "temporal_workflow_completed_total" for name, _ in after)  # the SDK's
        help_text = await asyncio.to_thread(metrics, orders_port)
        assert f"# HELP order_saga_sagas_finished_total {HELP[FINISHED]}" in help_text
        payment_metrics = await asyncio.to_thread(metrics, payment_port)
        assert "order_saga_payment_circuit_open" in payment_metrics
        assert "temporal_activity_execution_latency_seconds_bucket" in payment_metrics  # seconds
        # The same port answers a deployment's probes, and says what the process itself uses.
        assert after[("process_resident_memory_bytes", frozenset())] > 0
        assert "process_cpu_seconds_total" in payment_metrics
        assert await asyncio.to_thread(probe, orders_port, "/healthz") == (200, {"status": "ok"})
        ready = {"status": "ready", "checks": {"temporal": "ok"}}  # the saga uses no database
        assert await asyncio.to_thread(probe, orders_port, "/readyz") == (200, ready)
        ready = {"status": "ready", "checks": {"temporal": "ok", "database": "ok"}}
        assert await asyncio.to_thread(probe, payment_port, "/readyz") == (200, ready)
    finally:
        for worker in workers:
            stop_worker(worker)


async def test_list_finds_sagas_by_status_and_customer(
    dev_server, worker_process, cli_env, make_product
) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    sku = make_product(stock=5)
    common = [
        "--customer-id",
        customer,
        "--item",
        f"{sku}:1:19.99",
        "--street",
        "1 Main St",
        "--city",
        "Springfield",
        "--zip-code",
        "62701",
        "--handover-delay",
        "0",
        "--wait",
        "--address",
        dev_server,
    ]
    shipped = await asyncio.to_thread(order_saga, "start", *common, env=cli_env)
    rejected = await asyncio.to_thread(order_saga, "start", *common, "--country", "AQ", env=cli_env)
    # The exit code tells the outcome: 0 shipped, 3 compensated.
    assert (shipped.returncode, rejected.returncode) == (0, 3), shipped.stderr + rejected.stderr

    async def listed(*filters: str) -> list[dict[str, object]]:
        done = await asyncio.to_thread(
            order_saga, "list", *filters, "-o", "json", "--address", dev_server, env=cli_env
        )
        assert done.returncode == 0, done.stderr
        rows: list[dict[str, object]] = json.loads(done.stdout)
        return rows

    deadline = asyncio.get_running_loop().time() + 30
    while len(found := await listed("--customer", customer)) < 2:  # visibility catches up
        assert asyncio.get_running_loop().time() < deadline, found
        await asyncio.sleep(0.2)
    assert sorted(str(row["status"]) for row in found) == ["COMPENSATED", "COMPLETED"]
    assert {row["order_total"] for row in found} == {"19.99"}  # money as a decimal string
    assert all(row["workflow_id"] == f"order-{row['order_id']}" for row in found)
    compensated = await listed("--customer", customer, "--status", "COMPENSATED")
    assert [row["status"] for row in compensated] == ["COMPENSATED"]
    assert await listed("--customer", customer, "--status", "CANCELLED") == []


async def test_status_of_a_finished_saga_without_any_worker(
    dev_server, cli_env, engine, stripe_server, queue_prefix, make_product
) -> None:
    client = await connect(dev_server)
    request = order((make_product(stock=2), 1, "19.99"), country="AQ")
    # An order id that looks like a workflow id is still found by either name.
    request = request.model_copy(update={"order_id": f"order-{request.order_id}"})
    settings = Settings(stripe_api_base=stripe_server[1], queue_prefix=queue_prefix)
    async with build_worker(client, settings=settings, engine=engine):
        await order_result(
            await client.start_workflow(
                OrderSaga.run,
                request,
                id=request.workflow_id,
                task_queue=orders_queue(queue_prefix),
            )
        )
    # No worker is left to replay the saga for a query: its search attribute still answers.
    for name in (request.order_id, request.workflow_id):  # what `start` printed works too
        done = await asyncio.to_thread(
            order_saga, "status", name, "-o", "json", "--address", dev_server, env=cli_env
        )
        assert done.returncode == 3, done.stderr  # COMPENSATED
        assert json.loads(done.stdout) == {
            "order_id": request.order_id,
            "status": "COMPENSATED",
            "steps": None,
            "notices": [],
            "returns": [],  # a shipped order's, from their tables
            "disputes": [],
        }
    unknown = await asyncio.to_thread(
        order_saga, "status", "order-nothing-here", "--address", dev_server, env=cli_env
    )
    assert unknown.returncode != 0
    assert unknown.stderr.strip() == "order-saga: no saga for order order-nothing-here"


def test_an_unknown_status_is_refused_with_the_known_ones(cli_env) -> None:
    done = order_saga("list", "--status", "SHIPPED", "--address", "127.0.0.1:1", env=cli_env)
    assert done.returncode != 0
    assert done.stderr.strip() == (
        "order-saga: unknown order status 'SHIPPED'; known: RUNNING, AWAITING_REVIEW, "
        "AWAITING_AUTHENTICATION, AWAITING_HANDOVER, COMPENSATING, CANCELLING, COMPLETED, "
        "PARTIALLY_SHIPPED, COMPENSATED, CANCELLED, COMPENSATION_FAILED, EXPIRED, RESOLVED, "
        "REFUSED, TERMINATED"
    )
