"""`order-saga start` and `order-saga status`: trigger a saga and ask where it is."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from temporalio.client import (
    Client,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from order_saga import queues, search
from order_saga.cli import CliError, app, one_line_errors
from order_saga.contracts import OrderRequest, OrderResult, workflow_id_for
from order_saga.settings import get_settings
from order_saga.temporal import connect
from workflows.order_saga import OrderSaga

QUERY_TIMEOUT = timedelta(seconds=10)
AddressOption = Annotated[
    str | None, typer.Option(help="Temporal host:port; default from envconfig (localhost:7233)")
]


def parse_item(text: str) -> dict[str, Any]:
    """`SKU:QUANTITY:UNIT_PRICE` from the command line, as order-item data."""
    sku, _, rest = text.partition(":")
    quantity, _, price = rest.partition(":")
    if not (sku and quantity and price):
        raise CliError(f"--item {text!r}: expected SKU:QUANTITY:UNIT_PRICE, e.g. prod-456:2:19.99")
    return {"sku": sku, "quantity": quantity, "unit_price": price}


async def start_saga(
    client: Client, order: OrderRequest, queue_prefix: str
) -> WorkflowHandle[Any, Any]:
    """Start once per order: a second start for the same order id is refused, even later."""
    try:
        return await client.start_workflow(
            OrderSaga.run,
            order,
            id=order.workflow_id,
            task_queue=queues.queue(queue_prefix, "orders"),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError as err:
        raise CliError(
            f"order {order.order_id} already has a saga ({order.workflow_id}); "
            f"see `order-saga status {order.order_id}`"
        ) from err


@app.command()
@one_line_errors
def start(
    order_file: Annotated[Path | None, typer.Option(help="Order request as JSON")] = None,
    order_id: Annotated[str | None, typer.Option(help="Defaults to a generated id")] = None,
    customer_id: Annotated[str | None, typer.Option()] = None,
    item: Annotated[
        list[str] | None, typer.Option(help="SKU:QUANTITY:UNIT_PRICE, repeatable")
    ] = None,
    currency: Annotated[str, typer.Option()] = "usd",
    payment_method: Annotated[str, typer.Option()] = "pm_card_visa",
    street: Annotated[str, typer.Option()] = "",
    city: Annotated[str, typer.Option()] = "",
    state: Annotated[str, typer.Option()] = "",
    zip_code: Annotated[str, typer.Option()] = "",
    country: Annotated[str, typer.Option()] = "US",
    handover_delay: Annotated[
        int | None, typer.Option(help="Seconds the shipment waits for pickup (cancellable)")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="Wait; print the result as JSON")] = False,
    address: AddressOption = None,
) -> None:
    """Validate an order and start its saga; prints the workflow id."""
    if order_file is not None:
        data = json.loads(order_file.read_text())
    else:
        data = {
            "customer_id": customer_id,
            "items": [parse_item(i) for i in item or []],
            "currency": currency,
            "payment_method": payment_method,
            "shipping_address": {
                "street": street,
                "city": city,
                "state": state,
                "zip_code": zip_code,
                "country": country,
            },
        }
        if order_id:
            data["order_id"] = order_id
    if handover_delay is not None:
        data["handover_delay_seconds"] = handover_delay
    order = OrderRequest.model_validate(data)  # refused here, before anything runs

    async def run() -> OrderResult | None:
        client = await connect(address)
        handle = await start_saga(client, order, get_settings().task_queue)
        typer.echo(handle.id, err=wait)
        return await handle.result() if wait else None

    result = asyncio.run(run())
    if result is not None:
        typer.echo(result.model_dump_json(indent=2))


async def find_saga(
    client: Client, order_id: str
) -> tuple[WorkflowHandle[OrderSaga, OrderResult], WorkflowExecutionDescription]:
    """The order's saga and what Temporal knows of it; a clear error when there is none."""
    handle = client.get_workflow_handle_for(OrderSaga.run, workflow_id_for(order_id))
    try:
        return handle, await handle.describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise CliError(f"no saga for order {order_id}") from err
        raise


@app.command()
@one_line_errors
def status(order_id: str, address: AddressOption = None) -> None:
    """Print the saga's `status` query as JSON."""

    async def run() -> str:
        handle, description = await find_saga(await connect(address), order_id)
        try:
            answer = await handle.query(OrderSaga.status, rpc_timeout=QUERY_TIMEOUT)
        except RPCError as err:
            if description.status == WorkflowExecutionStatus.RUNNING:
                raise CliError(f"no worker answered for order {order_id}: {err.message}") from err
            # A closed saga with no worker to replay it still has its search attributes.
            state = description.typed_search_attributes.get(search.ORDER_STATUS)
            return json.dumps({"order_id": order_id, "state": state, "steps": None}, indent=2)
        return answer.model_dump_json(indent=2)

    typer.echo(asyncio.run(run()))
