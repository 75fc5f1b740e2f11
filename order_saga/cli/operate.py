"""`order-saga cancel` and `order-saga list`: stop an order, find sagas by business state."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from order_saga.cli import app, one_line_errors
from order_saga.cli.orders import AddressOption
from order_saga.client import OrderSummary, cancel_order, known_status, list_orders
from order_saga.settings import Settings
from order_saga.temporal import connect
from order_saga.visibility import list_query
from workflows.order_state import SagaState, SagaStatus


@app.command()
@one_line_errors
def cancel(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    reason: Annotated[str, typer.Option(help="Recorded with the cancellation")] = "",
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the undo")] = True,
    address: AddressOption = None,
) -> None:
    """Cancel an order: undo what its saga did, newest first (refused once handed over)."""

    settings = Settings()

    async def run() -> SagaStatus | None:
        client = await connect(address, tracing=settings.tracing)
        return await cancel_order(client, order_id, reason, wait=wait)

    status = asyncio.run(run())
    typer.echo(status.model_dump_json(indent=2) if status else f"cancel requested for {order_id}")


@app.command("list")
@one_line_errors
def list_sagas(
    status: Annotated[str | None, typer.Option(help=f"OrderStatus: {', '.join(SagaState)}")] = None,
    customer: Annotated[str | None, typer.Option(help="CustomerId")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line")] = False,
    address: AddressOption = None,
) -> None:
    """List sagas through Temporal visibility, newest first."""
    status = known_status(status) if status else None  # refused before any connection
    settings = Settings()

    async def run() -> list[OrderSummary]:
        client = await connect(address, tracing=settings.tracing)
        return await list_orders(client, status=status, customer=customer, limit=limit)

    rows = asyncio.run(run())
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row.model_dump()))
        return
    table = Table(title=list_query(status=status, customer=customer))
    for column in OrderSummary.model_fields:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.model_dump().values()))
    Console(width=max(Console().width, 120)).print(table)
