"""`order-saga return ORDER_ID --item SKU:QTY`, and `return receive|reject|resolve|show
RETURN_ID`: a return of shipped items, and a person's word on it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer

from activities.returns.contracts import ReturnedItem
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
from order_saga.cli.output import Output, OutputOption, emit
from order_saga.client import return_opening, returns
from order_saga.settings import Settings
from workflows.return_request import ReturnState, ReturnView

# Exit codes of a return's end, beside an order's (0 refunded, 1 refused, as any refusal).
EXIT_CODES = {ReturnState.REFUND_FAILED: 6, ReturnState.RESOLVED: 7, ReturnState.REJECTED: 10}
EXIT_CODES |= {ReturnState.EXPIRED: 5}


class OpensByDefault(help_format.Group):
    """`return ORDER_ID ...` opens a return: a first word that names no command is an order."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command a first word names; `open` for any other word."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["open", *args]
        return super().resolve_command(ctx, args)


returns_app = OrderSagaApp(
    cls=OpensByDefault,
    no_args_is_help=True,
    help="Return shipped items: `return ORDER_ID --item SKU:QTY` opens one; receive, reject, "
    "resolve and show act on it by its RETURN_ID.",
)
ITEMS_HELP = "SKU:QTY, once per SKU"
KEY_HELP = "Idempotency key: the same command again (its answer lost) finds the return it opened"


def items_of(values: list[str], option: str) -> list[ReturnedItem]:
    """`SKU:QTY` values as returned items, a bad one named."""
    items = []
    for value in values:
        sku, _, quantity = value.rpartition(":")
        if not sku or not quantity.isdigit():
            raise CliError(f"{option} {value!r}: expected SKU:QTY, such as prod-456:1")
        items.append(ReturnedItem(sku=sku, quantity=int(quantity)))
    return items


def act(temporal: Temporal, call: Callable[[Any], Awaitable[ReturnView]], output: Output) -> None:
    """Connect, ask, print the return; exit with its end's code."""
    settings = Settings()

    async def run() -> ReturnView:
        return await call(await temporal.connect(settings))

    view = asyncio.run(run())
    emit(view, output, view_text(view))
    sys.exit(EXIT_CODES.get(view.state, 0))


def view_text(view: ReturnView) -> str:
    """A return in a few lines: where it is, its lines, its money."""
    money = f"{view.refund} {(view.currency or '').upper()}" if view.refund is not None else "-"
    lines = [f"return {view.return_id} of order {view.order_id}: {view.state}"]
    lines += [
        f"  {x.sku} x {x.quantity} at {x.unit_price}"
        + (f" ({x.unusable} unusable)" if x.unusable else "")
        for x in view.lines
    ]
    told = "refunded" if view.state == ReturnState.REFUNDED else "to refund"
    lines.append(f"  {told}: {money}" + (f" ({view.refund_id})" if view.refund_id else ""))
    if view.parcel_due and view.state == ReturnState.AWAITING_PARCEL:
        lines.append(f"  parcel due by {view.parcel_due:%Y-%m-%d %H:%M} UTC")
    if view.detail:
        lines.append(f"  {view.detail}")
    return "\n".join(lines)


@returns_app.command("open")
@temporal_options
def open_return(
    order_id: Annotated[str, typer.Argument(help="The shipped order's id")],
    item: Annotated[list[str], typer.Option("--item", help=ITEMS_HELP)],
    reason: Annotated[str | None, typer.Option(help="Why, as the customer says it")] = None,
    key: Annotated[str | None, typer.Option(help=KEY_HELP)] = None,
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Open a return of shipped items (the default: `return ORDER_ID --item SKU:QTY`)."""
    items, by, window = items_of(item, "--item"), requester(as_), Settings().return_window_days
    queue = f"{Settings().queue_prefix}-orders"
    act(
        temporal,
        lambda client: return_opening.open_return(
            client, order_id, items, queue=queue, by=by, reason=reason, window_days=window, key=key
        ),
        output,
    )


@returns_app.command("receive")
@temporal_options
def receive(
    return_id: Annotated[str, typer.Argument(help="The return's id (open printed it)")],
    unusable: Annotated[list[str] | None, typer.Option(help=f"Not restocked: {ITEMS_HELP}")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for the refund")] = True,
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """The parcel is back: restock its usable units and refund the returned lines."""
    broken, by = items_of(unusable or [], "--unusable"), requester(as_)

    async def call(client: Any) -> ReturnView:
        view = await returns.receive_return(client, return_id, broken, by=by)
        return await returns.settled(client, return_id) if wait else view

    act(temporal, call, output)


@returns_app.command("reject")
@temporal_options
def reject(
    return_id: Annotated[str, typer.Argument(help="The return's id")],
    reason: Annotated[str, typer.Option(help="Why, for the record and the customer")],
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Refuse a return still awaiting its parcel: nothing is refunded."""
    by = requester(as_)
    act(temporal, lambda c: returns.reject_return(c, return_id, reason, by=by), output)


@returns_app.command("resolve")
@temporal_options
def resolve(
    return_id: Annotated[str, typer.Argument(help="The return's id")],
    retry: Annotated[bool, typer.Option("--retry", help="Ask the bank again")] = False,
    mark_resolved: Annotated[
        bool, typer.Option("--mark-resolved", help="Record a refund made by hand")
    ] = False,
    note: Annotated[str | None, typer.Option(help="What was done (with --mark-resolved)")] = None,
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Settle a return whose refund the bank refused (REFUND_FAILED)."""
    if retry == mark_resolved:
        raise typer.BadParameter("say --retry or --mark-resolved --note TEXT (one of them)")
    action, by = ("retry" if retry else "mark-resolved"), requester(as_)

    async def call(client: Any) -> ReturnView:
        await returns.resolve_return(client, return_id, action, by=by, note=note)
        return await returns.settled(client, return_id)

    act(temporal, call, output)


@returns_app.command("show")
@temporal_options
def show(
    return_id: Annotated[str, typer.Argument(help="The return's id")],
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Where a return is."""
    act(temporal, lambda client: returns.return_status(client, return_id), output)
