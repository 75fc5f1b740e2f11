"""`order-saga-worker`: run the saga and the activities of the services asked for."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from activities.queues import SERVICES, Service
from order_saga.db.engine import make_engine
from order_saga.metrics import prometheus_runtime
from order_saga.settings import Settings
from order_saga.temporal import connect, run_then_exit
from order_saga.worker_group import WorkerGroup, build_worker

log = logging.getLogger("order_saga.worker")


async def run_until_signalled(group: WorkerGroup) -> None:
    """Run until SIGINT or SIGTERM, then let in-flight tasks finish before exiting."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with group:
        log.info("worker polling %s", ", ".join(group.task_queues))
        await stop.wait()
        log.info("shutting down")


async def serve(
    settings: Settings, address: str | None, services: tuple[Service, ...], metrics_port: int | None
) -> None:
    """Connect, build the requested services' workers and run them until signalled."""
    runtime = prometheus_runtime(metrics_port) if metrics_port is not None else None
    client = await connect(address, runtime=runtime, tracing=settings.tracing)
    engine = make_engine(settings.database_url)
    group = build_worker(client, settings=settings, engine=engine, services=services)
    await run_until_signalled(group)


def _main(
    address: Annotated[
        str | None, typer.Option(help="Temporal host:port; default from envconfig")
    ] = None,
    service: Annotated[
        str, typer.Option(help="all, or one of: orders, inventory, payment, shipment")
    ] = "all",
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve Prometheus metrics on this port (/metrics)")
    ] = None,
) -> None:
    """Run the order-saga worker until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if service != "all" and service not in SERVICES:
        typer.echo(
            f"order-saga-worker: --service {service!r}: expected all or one of "
            f"{', '.join(SERVICES)}",
            err=True,
        )
        raise typer.Exit(2)
    services = SERVICES if service == "all" else tuple(s for s in SERVICES if s == service)
    try:
        asyncio.run(serve(Settings(), address, services, metrics_port))
    except RuntimeError as exc:
        typer.echo(f"order-saga-worker: {exc}", err=True)
        raise typer.Exit(1) from exc


def main() -> None:
    """Console entry point of `order-saga-worker`."""
    run_then_exit(lambda: typer.run(_main))
