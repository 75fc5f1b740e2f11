"""`order-saga load`: many sagas against the stack the CLI points at, with figures."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from order_saga.cli import ENVCONFIG, Temporal, temporal_options
from order_saga.cli.output import Output, OutputOption
from order_saga.load import LoadReport, parse_mix, run_load
from order_saga.settings import Settings


@temporal_options
def load(
    count: Annotated[int, typer.Option(min=1, help="Sagas to run")] = 100,
    concurrency: Annotated[int, typer.Option(min=1, help="Sagas in flight at once")] = 10,
    mix: Annotated[
        str, typer.Option(help="Weights of success, decline and reject (refused shipment)")
    ] = "success=0.8,decline=0.1,reject=0.1",
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Start sagas against the stack, C in flight, and print throughput, latency, outcomes."""
    from activities.inventory.catalogue import stocked_prices  # loads the ORM: only here

    weights = parse_mix(mix)
    settings = Settings()
    # The demo catalogue (`order-saga migrate` seeds it); its prices are checked, not trusted.
    catalogue = stocked_prices()

    async def run() -> LoadReport:
        client = await temporal.connect(settings)
        columns = (BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("sagas", total=count)
            return await run_load(
                client,
                settings.queue_prefix,
                count=count,
                concurrency=concurrency,
                mix=weights,
                catalogue=catalogue,
                on_done=lambda: progress.advance(task),
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
