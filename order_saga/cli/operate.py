"""`order-saga cancel` and `order-saga list`: stop an order, find sagas by business state."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from order_saga import search
from order_saga.cli import CliError, app, one_line_errors
from order_saga.cli.orders import AddressOption, find_saga
from order_saga.contracts import SagaStatus
from order_saga.temporal import connect
from workflows.order_saga import OrderSaga


async def cancel_order(
    client: Client, order_id: str, reason: str, *, wait: bool
) -> SagaStatus | None:
    """Ask the saga to cancel; refuse clearly when the order is past the point of no return."""
    handle, description = await find_saga(client, order_id)
    if description.status != WorkflowExecutionStatus.RUNNING:
        state = description.typed_search_attributes.get(search.ORDER_STATUS)
        if description.status == WorkflowExecutionStatus.COMPLETED and state == "COMPLETED":
            raise CliError(
                f"order {order_id} was handed to the carrier; it can no longer be cancelled"
            )
        ended = state or (description.status.name if description.status else "unknown")
        raise CliError(f"order {order_id} already ended ({ended})")
    try:
        await handle.cancel(reason=reason)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:  # it closed in the meantime
            raise CliError(f"order {order_id} ended before the cancel arrived") from err
        raise
    if not wait:
        return None
    with contextlib.suppress(WorkflowFailureError):  # a cancelled saga ends as a cancelled
        await handle.result()  # workflow: the query tells the rest
    return await handle.query(OrderSaga.status)


@app.command()
@one_line_errors
def cancel(
    order_id: str,
    reason: Annotated[str, typer.Option(help="Recorded with the cancellation")] = "",
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the undo")] = True,
    address: AddressOption = None,
) -> None:
    """Cancel an order: undo what its saga did, newest first (refused once handed over)."""

    async def run() -> SagaStatus | None:
        return await cancel_order(await connect(address), order_id, reason, wait=wait)

    status = asyncio.run(run())
    typer.echo(status.model_dump_json(indent=2) if status else f"cancel requested for {order_id}")


@app.command("list")
@one_line_errors
def list_sagas(
    status: Annotated[str | None, typer.Option(help="OrderStatus, e.g. CANCELLED")] = None,
    customer: Annotated[str | None, typer.Option(help="CustomerId")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line")] = False,
    address: AddressOption = None,
) -> None:
    """List sagas through Temporal visibility, newest first."""
    query = search.list_query(status=status, customer=customer)

    async def run() -> list[dict[str, object]]:
        client = await connect(address)
        rows: list[dict[str, object]] = []
        async for execution in client.list_workflows(query, limit=limit):
            attributes = execution.typed_search_attributes
            rows.append(
                {
                    "workflow_id": execution.id,
                    "order_status": attributes.get(search.ORDER_STATUS),
                    "customer_id": attributes.get(search.CUSTOMER_ID),
                    "order_total": attributes.get(search.ORDER_TOTAL),
                    "started": execution.start_time.isoformat(),
                }
            )
        return rows

    rows = asyncio.run(run())
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    table = Table(title=query)
    for column in ("workflow_id", "order_status", "customer_id", "order_total", "started"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    Console(width=max(Console().width, 120)).print(table)
