"""`order-saga amend`: ship an order to a new address, or keep fewer units of its lines,
before the carrier takes it."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address
from order_saga.cli import AS_OPTION, ENVCONFIG, CliError, Temporal, requester, temporal_options
from order_saga.cli.output import Output, OutputOption, emit, status_text
from order_saga.client import amend_order
from order_saga.field_errors import describe_validation_error
from order_saga.settings import Settings
from workflows.order_state import SagaStatus


def new_address(fields: dict[str, str | None]) -> Address | None:
    """The address the options give (all of them, or none), or an error naming them."""
    given = {name: value for name, value in fields.items() if value is not None}
    if not given:
        return None
    missing = [f"--{n.replace('_', '-')}" for n in ("street", "city", "zip_code", "country")
               if n not in given]  # fmt: skip
    if missing:
        raise CliError(f"a new address needs {', '.join(missing)} too")
    try:
        return Address.model_validate(given)
    except ValidationError as err:
        named = describe_validation_error(err).replace("_", "-")
        raise CliError(f"the new address: --{named}") from None


def new_lines(lines: list[str]) -> list[LineQuantity] | None:
    """`--line SKU:QTY` options as lines, or an error naming the one that is wrong."""
    parsed = []
    for line in lines:
        sku, _, quantity = line.rpartition(":")
        try:
            parsed.append(LineQuantity.model_validate({"sku": sku, "quantity": quantity}))
        except ValidationError:
            raise CliError(f"--line {line!r}: SKU:QUANTITY, e.g. prod-456:1") from None
    return parsed or None


@temporal_options
def amend(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    line: Annotated[
        list[str] | None, typer.Option(help="SKU:QTY, fewer units of a line (repeatable)")
    ] = None,
    street: Annotated[str | None, typer.Option(help="A new shipping address: street")] = None,
    city: Annotated[str | None, typer.Option(help="City")] = None,
    zip_code: Annotated[str | None, typer.Option(help="Postal code")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. US")] = None,
    state: Annotated[str | None, typer.Option(help="State or region")] = None,
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Ship the order to a new address (a booked shipment is re-booked), or keep fewer units
    of its lines (captured for less); refused once the parcel is handed to the carrier, the
    payment captured, or the order is ending."""
    fields = {"street": street, "city": city, "state": state, "zip_code": zip_code,
              "country": country}  # fmt: skip
    address, lines = new_address(fields), new_lines(line or [])
    if address is None and lines is None:
        raise typer.BadParameter("say what changes: --line SKU:QTY, a new address, or both")
    settings = Settings()

    async def run() -> SagaStatus:
        client = await temporal.connect(settings)
        return await amend_order(client, order_id, address, lines=lines, by=requester(as_))

    status = asyncio.run(run())
    emit(status, output, status_text(status))
