"""`order-saga start` and `order-saga status`: trigger a saga and ask where it is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from order_saga.cli import CliError, app, one_line_errors
from order_saga.client import order_status, start_order
from order_saga.settings import Settings
from order_saga.temporal import connect
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult

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

    settings = Settings()

    async def run() -> OrderResult | None:
        client = await connect(address, tracing=settings.tracing)
        handle = await start_order(client, order, settings.task_queue)
        typer.echo(handle.id, err=wait)
        return await handle.result() if wait else None

    result = asyncio.run(run())
    if result is not None:
        typer.echo(result.model_dump_json(indent=2))


@app.command()
@one_line_errors
def status(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    address: AddressOption = None,
) -> None:
    """Print the saga's `status` query as JSON."""
    settings = Settings()

    async def run() -> str:
        client = await connect(address, tracing=settings.tracing)
        return (await order_status(client, order_id)).model_dump_json(indent=2)

    typer.echo(asyncio.run(run()))
