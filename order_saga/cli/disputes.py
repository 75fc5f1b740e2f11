"""`order-saga disputes list`: the banks' disputes of our orders' charges, as recorded from
Stripe's webhooks, newest first."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from order_saga import help_format
from order_saga.cli import OrderSagaApp
from order_saga.cli.database import migrated_engine
from order_saga.cli.output import Output, OutputOption

disputes_app = OrderSagaApp(
    cls=help_format.Group,
    help="The banks' disputes of orders' charges (docs/after-the-sale.md).",
    no_args_is_help=True,
)


@disputes_app.command("list")
def list_disputes(
    open_only: Annotated[bool, typer.Option("--open", help="Only those still open")] = False,
    order: Annotated[str | None, typer.Option(help="One order's")] = None,
    output: OutputOption = Output.TEXT,
) -> None:
    """Each dispute: its order, status, amount, reason and when the evidence is due."""
    from order_saga.client.after_sale import disputes

    with migrated_engine() as engine:
        found = disputes(engine, order_id=order, open_only=open_only)
    if output.is_json:
        typer.echo(json.dumps([d.model_dump(mode="json") for d in found], indent=2))
        return
    for d in found:
        due = f"evidence due {d.due_by:%Y-%m-%d %H:%M} UTC" if d.open and d.due_by else ""
        typer.echo(
            f"{d.dispute_id:<28} order {d.order_id or '-':<20} {d.status:<16} "
            f"{d.amount} {d.currency.upper()} {d.reason} {due}".rstrip()
        )
