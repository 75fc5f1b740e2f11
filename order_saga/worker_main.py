"""`order-saga-worker`: run the saga and the activities of the services asked for."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from activities.queues import SERVICES, Service, queue
from order_saga import help_format
from order_saga.db.engine import display_url, make_engine
from order_saga.field_errors import describe_validation_error
from order_saga.logs import LogFormat, configure_logging
from order_saga.metrics import zero_saga_counters
from order_saga.settings import Settings
from order_saga.startup import keep_trying, wait_for_database
from order_saga.temporal import TemporalUnreachable, connect_config, connect_for, run_then_exit
from order_saga.worker_group import WorkerGroup, build_worker
from order_saga.worker_port import WorkerPort
from workflows.placement import PLACEMENTS

log = logging.getLogger("order_saga.worker")


def stop_signal() -> asyncio.Event:
    """Set on SIGINT or SIGTERM, from the start, so a worker still waiting can be stopped."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


@dataclass(frozen=True)
class Where:
    """Where the worker finds Temporal: envconfig, unless these say otherwise."""

    address: str | None = None
    namespace: str | None = None
    profile: str | None = None


async def start_workers(
    settings: Settings, where: Where, services: tuple[Service, ...], port: WorkerPort | None
) -> WorkerGroup:
    """Connect, waiting for Temporal and the database as long as it takes, and build the
    requested services' workers. Wrong settings (a bad URL or address) fail at once: waiting
    cannot mend them."""
    engine = make_engine(settings.database_url)
    runtime = None
    if port is not None:
        runtime = port.runtime
        if "orders" in services:  # at 0 as soon as the port answers, not once connected
            config = connect_config(where.address, namespace=where.namespace, profile=where.profile)
            zero_saga_counters(runtime, config["namespace"], queue(settings.queue_prefix, "orders"))
    client = await keep_trying(
        f"Temporal at {where.address or 'the envconfig address'}",
        lambda: connect_for(
            settings,
            where.address,
            namespace=where.namespace,
            profile=where.profile,
            runtime=runtime,
            reader=False,
        ),
        (TemporalUnreachable,),
    )
    # The saga alone never touches the database; colocated, its worker runs every step.
    uses_database = services != ("orders",) or settings.placement == "colocated"
    if uses_database:
        await wait_for_database(engine, display_url(settings.database_url))
    group = build_worker(client, settings=settings, engine=engine, services=services)
    if port is not None:
        port.serving(client, engine if uses_database else None)
    return group


async def serve(
    settings: Settings, where: Where, services: tuple[Service, ...], metrics_port: int | None
) -> None:
    """Run until SIGINT or SIGTERM; then stop polling and let activities in flight finish
    (for up to `worker_shutdown_grace_seconds`) before exiting. With a metrics port, serve
    metrics and probes on it from the start (a port in use fails at once)."""
    async with contextlib.AsyncExitStack() as stack:
        port = None
        if metrics_port is not None:
            port = await stack.enter_async_context(WorkerPort(metrics_port))
        await _serve(settings, where, services, port)


async def _serve(
    settings: Settings, where: Where, services: tuple[Service, ...], port: WorkerPort | None
) -> None:
    stop = stop_signal()
    starting = asyncio.create_task(start_workers(settings, where, services, port))
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        log.info("stopped while waiting to start")
        return
    group = starting.result()
    async with group:
        log.info(
            "worker polling %s (placement %s)", ", ".join(group.task_queues), settings.placement
        )
        await stopping
        log.info(
            "shutting down: activities in flight have %.0f s to finish",
            settings.worker_shutdown_grace_seconds,
        )


def usage_error(message: str) -> NoReturn:
    """A wrong argument: one line on stderr, exit code 2."""
    typer.echo(f"order-saga-worker: {message}", err=True)
    raise typer.Exit(2)


def _main(
    address: Annotated[
        str | None, typer.Option(help="Temporal host:port; default from envconfig")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option(help="Temporal namespace; default from envconfig")
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="envconfig profile (TEMPORAL_PROFILE)")
    ] = None,
    build_id: Annotated[
        str | None,
        typer.Option(help="A build of the order-saga Worker Deployment (WORKER_BUILD_ID)"),
    ] = None,
    service: Annotated[
        str, typer.Option(help="all, or one of: orders, inventory, payment, shipment")
    ] = "all",
    placement: Annotated[
        str | None,
        typer.Option(
            help="colocated: the orders worker runs every step itself; per-service: each "
            "service's steps on its own queue (PLACEMENT; default colocated)"
        ),
    ] = None,
    log_format: Annotated[
        LogFormat, typer.Option(case_sensitive=False, help="text, or json: one object a line")
    ] = LogFormat.TEXT,
    metrics_port: Annotated[
        str | None,
        typer.Option(help="Serve /metrics (Prometheus), /healthz and /readyz on this port"),
    ] = None,
) -> None:
    """Run the order-saga worker until SIGINT/SIGTERM."""
    configure_logging(log_format)
    if service != "all" and service not in SERVICES:
        usage_error(f"--service {service!r}: expected all or one of {', '.join(SERVICES)}")
    port = None
    if metrics_port is not None:
        port = int(metrics_port) if metrics_port.isdigit() else 0
        if not 0 < port < 65536:
            usage_error(f"--metrics-port {metrics_port!r}: expected a port number, 1-65535")
    if placement is not None and placement not in PLACEMENTS:
        usage_error(f"--placement {placement!r}: expected one of {', '.join(PLACEMENTS)}")
    services = SERVICES if service == "all" else tuple(s for s in SERVICES if s == service)
    try:
        settings = Settings()
        if build_id is not None:
            settings = settings.model_copy(update={"worker_build_id": build_id})
        if placement is not None:
            settings = settings.model_copy(update={"placement": placement})
        asyncio.run(serve(settings, Where(address, namespace, profile), services, port))
    except ValidationError as exc:
        typer.echo(
            f"order-saga-worker: invalid setting: {describe_validation_error(exc)}", err=True
        )
        raise typer.Exit(1) from exc
    except (RuntimeError, ValueError) as exc:  # a configuration fault, said in one line
        typer.echo(f"order-saga-worker: {exc}", err=True)
        raise typer.Exit(1) from exc


def main() -> None:
    """Console entry point of `order-saga-worker`."""
    app = typer.Typer(add_completion=False)
    app.command(cls=help_format.Command)(_main)
    run_then_exit(app)
