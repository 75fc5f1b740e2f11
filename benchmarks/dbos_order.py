"""The peer a Python team would pick instead: DBOS, the saga's calls as checkpointed steps of
one workflow, its state in PostgreSQL, run where it is started (the `dbos` extra): as no-ops
(`dbos`), or doing the saga's real work (`dbos-work`)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import psycopg
from dbos import DBOS, DBOSConfig

from benchmarks.bench_setup import pool_size
from benchmarks.order_work import OrderWork, saga_calls
from workflows.order_request import OrderRequest

# `dbos-work`: the saga's six real calls as DBOS steps, on the work wired in this process.
WORK: list[OrderWork] = []


@DBOS.step()
async def reserve(order_id: str) -> str:
    return order_id


@DBOS.step()
async def assess(order_id: str) -> str:
    return order_id


@DBOS.step()
async def create_intent(order_id: str) -> str:
    return order_id


@DBOS.step()
async def charge(order_id: str) -> str:
    return order_id


@DBOS.step()
async def ship(order_id: str) -> str:
    return order_id


@DBOS.step()
async def capture(order_id: str) -> str:
    return order_id


@DBOS.workflow()
async def dbos_order(order_id: str) -> str:
    for step in (reserve, assess, create_intent, charge, ship, capture):
        order_id = await step(order_id)
    return order_id


@DBOS.workflow()
async def dbos_checkout(order_id: str) -> str:
    """The same calls, telling the payment's answer as soon as the charge is done (an event
    the caller waits on), as a checkout would."""
    for step in (reserve, assess, create_intent, charge):
        order_id = await step(order_id)
    await DBOS.set_event_async("payment", "authorized")
    return await ship(order_id)


@DBOS.step()
async def work_step(order: OrderRequest, name: str, arg: Any) -> Any:
    return await WORK[0].step(order, name, arg)


@DBOS.workflow()
async def dbos_work_order(order: OrderRequest) -> str:
    return await saga_calls(order, work_step)


async def run_dbos_work_order(order: OrderRequest) -> str:
    """Start one order's workflow doing the saga's work, and wait for it."""
    handle = await DBOS.start_workflow_async(dbos_work_order, order)
    return str(await handle.get_result())


def system_database(postgres_url: str) -> str:
    """A fresh system database beside `postgres_url`'s, for one run."""
    return postgres_url.rsplit("/", 1)[0] + f"/dbos_bench_{uuid.uuid4().hex[:8]}"


def launch(system_url: str) -> None:
    """DBOS on `system_url`, which it creates."""
    config: DBOSConfig = {
        "name": "order-saga-bench",
        "system_database_url": system_url,
        "sys_db_pool_size": 2 * pool_size(),  # the connections a worker's engine may hold
    }
    DBOS(config=config)
    DBOS.launch()


def shut_down(system_url: str) -> None:
    """Stop DBOS and drop the run's system database."""
    DBOS.destroy()
    server, name = system_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run_dbos_order(order_id: str) -> str:
    """Start one order's workflow and wait for it."""
    handle = await DBOS.start_workflow_async(dbos_order, order_id)
    await handle.get_result()
    return "COMPLETED"


async def run_dbos_checkout(order_id: str) -> tuple[float, float]:
    """Seconds to the payment's answer (its event) and to the end, for one order."""
    began = time.perf_counter()
    handle = await DBOS.start_workflow_async(dbos_checkout, order_id)
    await DBOS.get_event_async(handle.workflow_id, "payment", timeout_seconds=10)
    first = time.perf_counter() - began
    await handle.get_result()
    return first, time.perf_counter() - began
