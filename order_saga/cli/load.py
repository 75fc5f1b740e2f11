"""`order-saga load`: many sagas against the stack the CLI points at, with figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from typing import Annotated

import aiohttp
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from order_saga.cli import ENVCONFIG, CliError, Temporal, temporal_options
from order_saga.cli.output import Output, OutputOption
from order_saga.load import LoadReport, parse_mix, run_load, run_saga
from order_saga.settings import Settings


@temporal_options
def load(
    count: Annotated[int, typer.Option(min=1, help="Sagas to run")] = 100,
    concurrency: Annotated[int, typer.Option(min=1, help="Sagas in flight at once")] = 10,
    mix: Annotated[
        str, typer.Option(help="Weights of success, decline and reject (refused shipment)")
    ] = "success=0.8,decline=0.1,reject=0.1",
    api: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Place the orders over the HTTP API at URL (e.g. http://127.0.0.1:8000), as a "
            "storefront: the key in ORDER_SAGA_API_KEY, else `order-saga dev`'s storefront key "
            "(.data/api-keys.env); its rate limit applies (ORDER_RATE_LIMIT)",
        ),
    ] = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Start sagas against the stack, C in flight, and print throughput, latency, outcomes."""
    from activities.inventory.catalogue import stocked_prices  # loads the ORM: only here

    weights = parse_mix(mix)
    settings = Settings()
    key = storefront_key() if api else None
    # The demo catalogue (`order-saga migrate` seeds it); its prices are checked, not trusted.
    catalogue = stocked_prices()

    async def run() -> LoadReport:
        client = await temporal.connect(settings)
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("sagas", total=count)
            async with contextlib.AsyncExitStack() as stack:
                execute = run_saga
                if api and key:
                    from order_saga.load_http import ApiPlacer

                    session = await stack.enter_async_context(aiohttp.ClientSession())
                    execute = ApiPlacer(session, api, key)
                return await run_load(
                    client,
                    settings.queue_prefix,
                    count=count,
                    concurrency=concurrency,
                    mix=weights,
                    catalogue=catalogue,
                    on_done=lambda: progress.advance(task),
                    execute=execute,
                )

    summary = asyncio.run(run()).summary()
    if output.is_json:
        typer.echo(json.dumps(summary))
        return
    typer.echo(
        f"{summary['count']} sagas in {summary['seconds']} s at concurrency "
        f"{summary['concurrency']}: {summary['sagas_per_second']} sagas/s"
    )
    typer.echo(
        f"start-to-result p50 {summary['p50_seconds']} s, p95 {summary['p95_seconds']} s, "
        f"p99 {summary['p99_seconds']} s"
    )
    if "first_half_sagas_per_second" in summary:
        typer.echo(
            f"first half {summary['first_half_sagas_per_second']} sagas/s, second half "
            f"{summary['second_half_sagas_per_second']} sagas/s"
        )
    for outcome, number in dict(summary["outcomes"]).items():  # type: ignore[call-overload]
        typer.echo(f"  {outcome}: {number}")


def storefront_key() -> str:
    """The key orders are placed with: ORDER_SAGA_API_KEY, else the dev stack's storefront key."""
    if key := os.environ.get("ORDER_SAGA_API_KEY"):
        return key
    from order_saga.access.roles import Role
    from order_saga.embedded.dev_keys import KEYS_FILE, read_keys

    if found := read_keys(KEYS_FILE).get(Role.STOREFRONT):
        return found
    raise CliError(
        f"--api needs a storefront key: ORDER_SAGA_API_KEY, or {KEYS_FILE} (order-saga dev "
        "makes one)"
    )
