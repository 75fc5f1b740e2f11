"""`order-saga cancel` and `order-saga list`: stop an order, find sagas by business state."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from order_saga.cli import AS_OPTION, ENVCONFIG, Temporal, requester, temporal_options
from order_saga.cli.output import Output, OutputOption, emit, exit_code, status_text
from order_saga.client import OrderSummary, cancel_order, known_status, list_orders
from order_saga.settings import Settings
from order_saga.visibility import list_query
from workflows.order_state import SagaState, SagaStatus


@temporal_options
def cancel(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    reason: Annotated[str, typer.Option(help="Recorded with the cancellation")] = "",
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the undo")] = True,
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Cancel an order: undo what its saga did, newest first (refused once handed over)."""
    by = requester(as_)

    settings = Settings()

    async def run() -> SagaStatus | None:
        client = await temporal.connect(settings)
        return await cancel_order(
            client,
            order_id,
            reason,
            wait=wait,
            by=by,
            on_wait=lambda what: typer.echo(f"order-saga: undo waits for {what}", err=True),
        )

    status = asyncio.run(run())
    if status is None:
        requested = {"order_id": order_id, "cancel_requested": True}
        typer.echo(json.dumps(requested) if output.is_json else f"cancel requested for {order_id}")
        return
    emit(status, output, status_text(status))
    if status.status == SagaState.COMPENSATION_FAILED:  # an undo needs a person
        sys.exit(exit_code(status.status))


@temporal_options
def list_sagas(
    status: Annotated[str | None, typer.Option(help=f"OrderStatus: {', '.join(SagaState)}")] = None,
    customer: Annotated[str | None, typer.Option(help="CustomerId")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """List sagas through Temporal visibility, newest first."""
    status = known_status(status) if status else None  # refused before any connection
    settings = Settings()

    async def run() -> list[OrderSummary]:
        client = await temporal.connect(settings)
        return await list_orders(client, status=status, customer=customer, limit=limit)

    rows = asyncio.run(run())
    if output == Output.JSON:
        typer.echo(json.dumps([row.model_dump(mode="json") for row in rows], indent=2))
        return
    if output == Output.JSONL:  # a line a row, for streaming tools
        for row in rows:
            typer.echo(row.model_dump_json())
        return
    table = Table(title=list_query(status=status, customer=customer))
    for column in OrderSummary.model_fields:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.model_dump().values()))
    # As wide as the rows need, past the terminal if it must: an id cut with "…" cannot be
    # copied into the next command.
    console = Console()
    wanted = console.measure(table, options=console.options.update_width(10_000)).maximum
    console.width = max(console.width, wanted)
    console.print(table)
