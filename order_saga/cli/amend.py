"""`order-saga amend`: ship an order to a new address before the carrier takes it."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from pydantic import ValidationError

from activities.shipment.contracts import Address
from order_saga.cli import AS_OPTION, ENVCONFIG, CliError, Temporal, requester, temporal_options
from order_saga.cli.output import Output, OutputOption, emit, status_text
from order_saga.client import amend_order
from order_saga.field_errors import describe_validation_error
from order_saga.settings import Settings
from workflows.order_state import SagaStatus


@temporal_options
def amend(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    street: Annotated[str, typer.Option(help="The new shipping address: street")],
    city: Annotated[str, typer.Option(help="City")],
    zip_code: Annotated[str, typer.Option(help="Postal code")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code, e.g. US")],
    state: Annotated[str, typer.Option(help="State or region")] = "",
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Ship the order to a new address (a booked shipment is re-booked); refused once the
    parcel is handed to the carrier or the order is ending."""
    fields = {"street": street, "city": city, "state": state, "zip_code": zip_code}
    try:
        address = Address.model_validate({**fields, "country": country})
    except ValidationError as err:
        fields_named = describe_validation_error(err).replace("_", "-")
        raise CliError(f"the new address: --{fields_named}") from None
    settings = Settings()

    async def run() -> SagaStatus:
        client = await temporal.connect(settings)
        return await amend_order(client, order_id, address, by=requester(as_))

    status = asyncio.run(run())
    emit(status, output, status_text(status))
