"""`order-saga stock set|show`: what each warehouse holds of a product, as a count found it.
An order's lines come from the fewest warehouses that hold them, each line from one."""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer

from order_saga import help_format
from order_saga.cli import CliError, OrderSagaApp
from order_saga.cli.database import migrated_session
from order_saga.cli.output import Output, OutputOption

stock_app = OrderSagaApp(
    cls=help_format.Group,
    help="Set and show each warehouse's stock of a product.",
    no_args_is_help=True,
)
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")  # as a SKU is spelled


@stock_app.command("set")
def set_units(
    sku: Annotated[str, typer.Argument(help="The product, as in the catalogue")],
    warehouse: Annotated[str, typer.Option(help="Where the units are; main is home")] = "main",
    units: Annotated[int, typer.Option(min=0, max=1_000_000_000, help="Units on hand")] = 0,
) -> None:
    """Say how many units a warehouse holds (a count's figure, not a change): units already
    reserved by orders are not among them."""
    if not NAME.match(warehouse):
        raise CliError("--warehouse: 1 to 64 letters, digits, '.', '_' or '-'")
    from activities.inventory import repository, stock

    with migrated_session() as session:
        if not repository.products(session=session, skus=[sku]):
            raise CliError(f"SKU: {sku!r} is not in the catalogue")
        stock.set_stock(session=session, sku=sku, warehouse=warehouse, units=units)
    typer.echo(f"{warehouse} holds {units} of {sku}")


@stock_app.command("show")
def show(
    sku: Annotated[str, typer.Argument(help="The product, as in the catalogue")],
    output: OutputOption = Output.TEXT,
) -> None:
    """Each warehouse's units of a product, the home warehouse first."""
    from activities.inventory import repository, stock

    with migrated_session() as session:
        if not repository.products(session=session, skus=[sku]):
            raise CliError(f"SKU: {sku!r} is not in the catalogue")
        held = stock.holdings(session=session, skus=[sku])
    units = {warehouse: skus.get(sku, 0) for warehouse, skus in held.items()}
    if output == Output.JSON:
        typer.echo(json.dumps({"sku": sku, "warehouses": units}))
        return
    for warehouse, count in units.items():
        typer.echo(f"{warehouse}: {count}")
