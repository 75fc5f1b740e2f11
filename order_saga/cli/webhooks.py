"""`order-saga webhooks add|list|remove|test`: the subscribers to order events. A subscriber's
signing secret is printed once, when it is added."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import typer

from order_saga import help_format
from order_saga.cli import CliError, OrderSagaApp
from order_saga.cli.database import migrated_engine
from order_saga.cli.output import Output, OutputOption
from order_saga.settings import Settings

webhooks_app = OrderSagaApp(
    cls=help_format.Group,
    help="Manage the subscribers to order events (signed webhooks; docs/notifications.md).",
    no_args_is_help=True,
)


@webhooks_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where the events are POSTed (http or https)")],
    events: Annotated[str, typer.Option(help="Comma-separated event types, or * for all")] = "*",
    output: OutputOption = Output.TEXT,
) -> None:
    """Register a subscriber; prints its signing secret once (it signs every delivery)."""
    from order_saga import subscriptions

    policy = Settings().webhook_targets()
    try:
        with migrated_engine() as engine:
            added = subscriptions.subscribe(engine, url, events.split(","), policy)
    except subscriptions.SubscriptionError as err:
        raise CliError(f"--{err.field}: {err}" if err.field == "events" else f"URL: {err}") from err
    if output.is_json:
        typer.echo(json.dumps(asdict(added), default=str))
        return
    typer.echo(added.secret)
    typer.echo(
        f"subscriber {added.id}: {added.url} gets {', '.join(added.events)}; the line above is "
        "its signing secret, shown only now",
        err=True,
    )


@webhooks_app.command("list")
def list_subscribers(output: OutputOption = Output.TEXT) -> None:
    """Every active subscriber: id, URL, event types, since when."""
    from order_saga import subscriptions

    with migrated_engine() as engine:
        rows = [
            {k: v for k, v in asdict(s).items() if k != "secret"}
            for s in subscriptions.listed(engine)
        ]
    if output.is_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    for row in rows:
        typer.echo(f"{row['id']:<5} {row['url']:<48} {','.join(row['events'])}")


@webhooks_app.command("remove")
def remove(subscriber_id: Annotated[int, typer.Argument(help="The subscriber's id")]) -> None:
    """Send it nothing more (deliveries in retry stop at their next attempt)."""
    from order_saga import subscriptions

    with migrated_engine() as engine:
        if not subscriptions.unsubscribe(engine, subscriber_id):
            raise CliError(f"no active subscriber {subscriber_id}")
    typer.echo(f"subscriber {subscriber_id} removed")


@webhooks_app.command("test")
def test(
    url: Annotated[str, typer.Argument(help="The endpoint to send a signed sample event to")],
    secret: Annotated[
        str | None,
        typer.Option(help="Sign with this secret (default: the registered subscriber's at URL)"),
    ] = None,
) -> None:
    """Send a signed sample order.completed, to check an endpoint verifies signatures; exits
    non-zero unless it was delivered (answered 2xx)."""
    from order_saga import subscriptions

    if secret is None:
        with migrated_engine() as engine:
            secret = subscriptions.secret_of(engine, url)
        if secret is None:
            raise CliError(f"no subscriber is registered at {url}: give --secret")
    policy = Settings().webhook_targets()
    try:
        policy.check_form(url)
    except ValueError as err:  # the URL as typed; where it leads is not told
        raise CliError(f"URL: {err}") from err
    delivered = asyncio.run(subscriptions.send_sample(url, secret, policy))
    # Delivered or not, and nothing of what answered: the same for every failure.
    typer.echo(f"{url}: {'delivered' if delivered else 'not delivered'}")
    if not delivered:
        raise typer.Exit(1)
