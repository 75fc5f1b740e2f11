"""Every command of `order-saga`, registered on the app in the order `--help` lists them."""

from __future__ import annotations

from collections.abc import Callable

from order_saga.cli import OrderSagaApp
from order_saga.cli.amend import amend
from order_saga.cli.api import api
from order_saga.cli.api_keys import api_key_app
from order_saga.cli.demo import demo
from order_saga.cli.dev import dev, stripe_server
from order_saga.cli.disputes import disputes_app
from order_saga.cli.load import load
from order_saga.cli.migrate import migrate
from order_saga.cli.operate import cancel, list_sagas
from order_saga.cli.orders import start, status
from order_saga.cli.resolve import resolve, terminate
from order_saga.cli.returns import returns_app
from order_saga.cli.risk import review, risk_app
from order_saga.cli.stock import stock_app
from order_saga.cli.webhooks import webhooks_app

COMMANDS: list[tuple[str, Callable[..., None]]] = [
    ("start", start),
    ("status", status),
    ("cancel", cancel),
    ("amend", amend),
    ("list", list_sagas),
    ("review", review),
    ("resolve", resolve),
    ("terminate", terminate),
    ("dev", dev),
    ("demo", demo),
    ("api", api),
    ("stripe-server", stripe_server),
    ("migrate", migrate),
    ("load", load),
]


def register_commands(app: OrderSagaApp) -> None:
    """Put every command on the app."""
    for name, command in COMMANDS:
        app.command(name)(command)
    app.add_typer(returns_app, name="return")
    app.add_typer(disputes_app, name="disputes")
    app.add_typer(risk_app, name="risk")
    app.add_typer(stock_app, name="stock")
    app.add_typer(api_key_app, name="api-key")
    app.add_typer(webhooks_app, name="webhooks")
