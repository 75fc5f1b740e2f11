"""`order-saga risk limit|block|hold|show`: the rules the risk check reads before any money
moves; `order-saga review`: a person's decision on an order they held."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from order_saga import help_format
from order_saga.cli import (
    AS_OPTION,
    ENVCONFIG,
    CliError,
    OrderSagaApp,
    Temporal,
    requester,
    temporal_options,
)
from order_saga.cli.database import migrated_session
from order_saga.cli.output import Output, OutputOption, emit, status_text
from order_saga.client import review_order
from order_saga.settings import Settings
from workflows.review_state import Decision

risk_app = OrderSagaApp(
    cls=help_format.Group,
    help="Manage the risk rules checked before an order's money moves.",
    no_args_is_help=True,
)
CUSTOMER = Annotated[str, typer.Option("--customer", help="A customer id; * for every customer")]
REASON = Annotated[str, typer.Option(help="Why, for the record (the operator reads it)")]


def money(amount: str) -> Decimal:
    """An amount of money a person typed, or an error naming the option."""
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise CliError(f"--amount: {amount!r} is not an amount") from None
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CliError("--amount: a positive amount with at most 2 decimals")
    return value


@risk_app.command("limit")
def limit(
    customer: CUSTOMER,
    amount: Annotated[str | None, typer.Option(help="Most it may spend in the window")] = None,
    currency: Annotated[str, typer.Option(help="The orders' currency")] = "usd",
    window_hours: Annotated[int, typer.Option(min=1, max=24 * 366)] = 24,
    remove: Annotated[bool, typer.Option("--remove", help="Drop the limit")] = False,
    as_: AS_OPTION = None,
) -> None:
    """Set (or --remove) what a customer may spend over a rolling window; above it, an
    order waits for a person's review."""
    if len(currency) != 3 or not currency.isalpha():
        raise CliError("--currency: a three-letter code, e.g. usd")
    if not 1 <= len(customer) <= 200:
        raise CliError("--customer: 1 to 200 characters")
    from activities.risk import admin

    with migrated_session() as session:
        if remove:
            if not admin.remove_limit(session=session, customer_id=customer, currency=currency):
                raise CliError(f"no limit for {customer!r} in {currency.upper()}")
            typer.echo(f"limit of {customer} in {currency.upper()} removed")
            return
        if amount is None:
            raise CliError("--amount: say how much (or --remove)")
        value = money(amount)
        admin.set_limit(session=session, customer_id=customer, currency=currency, amount=value,
                        window_hours=window_hours, by=requester(as_))  # fmt: skip
    typer.echo(f"{customer} may spend {value} {currency.upper()} in {window_hours} h")


@risk_app.command("block")
def block(
    customer: Annotated[str | None, typer.Option(help="A customer id")] = None,
    email: Annotated[str | None, typer.Option(help="A customer's e-mail address")] = None,
    reason: Annotated[str | None, typer.Option(help="Why, for the record")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Lift the block")] = False,
    as_: AS_OPTION = None,
) -> None:
    """Decline every new order of a customer (or an address) before money moves; --remove
    lifts it."""
    if (customer is None) == (email is None):
        raise typer.BadParameter("say --customer ID or --email ADDRESS (one of them)")
    kind, value = ("customer", customer) if customer is not None else ("email", email or "")
    if not 1 <= len(value.strip()) <= 200:
        raise CliError(f"--{kind}: 1 to 200 characters")
    from activities.risk import admin

    with migrated_session() as session:
        if remove:
            if not admin.unblock(session=session, kind=kind, value=value):  # type: ignore[arg-type]
                raise CliError(f"no block on {kind} {value!r}")
            typer.echo(f"{kind} {value} unblocked")
            return
        if not reason or not reason.strip() or len(reason) > 500:
            raise CliError("--reason: why, 1 to 500 characters")
        admin.block(session=session, kind=kind, value=value, reason=reason,  # type: ignore[arg-type]
                    by=requester(as_))  # fmt: skip
    typer.echo(f"{kind} {value} blocked: {reason}")


@risk_app.command("hold")
def hold(
    on: Annotated[bool, typer.Option("--on/--off", help="Hold every new order, or stop")],
    reason: REASON = "",
    as_: AS_OPTION = None,
) -> None:
    """The switch that holds every new order for a person's review (orders already past
    the check are not affected)."""
    if on and not reason.strip():
        raise CliError("--reason: why every new order is held")
    if len(reason) > 500:
        raise CliError("--reason: at most 500 characters")
    from activities.risk import admin

    with migrated_session() as session:
        admin.set_hold(session=session, on=on, reason=reason, by=requester(as_))
    typer.echo("new orders are held for review" if on else "new orders are no longer held")


@risk_app.command("show")
def show(output: OutputOption = Output.TEXT) -> None:
    """Every limit, block and switch, and who set it."""
    from activities.risk import admin

    with migrated_session() as session:
        rules = admin.rules(session=session)
    typer.echo(json.dumps(rules, default=str, indent=None if output.is_json else 2))


@temporal_options
def review(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    approve: Annotated[
        bool, typer.Option("--approve/--decline", help="Let it go on, or decline and undo it")
    ],
    reason: Annotated[str, typer.Option(help="Why, kept with who decided")],
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Decide on an order the risk rules hold (AWAITING_REVIEW)."""
    if not reason.strip() or len(reason) > 500:
        raise CliError("--reason: why, 1 to 500 characters")
    decision: Decision = "approve" if approve else "decline"
    settings = Settings()

    async def run() -> object:
        client = await temporal.connect(settings)
        return await review_order(client, order_id, decision, reason, by=requester(as_))

    status = asyncio.run(run())
    emit(status, output, status_text(status))  # type: ignore[arg-type]
