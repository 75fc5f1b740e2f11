"""`order-saga migrate`: create or upgrade the schema of DATABASE_URL."""

from __future__ import annotations

from typing import Annotated

import typer

from order_saga.settings import Settings


def migrate(
    seed: Annotated[bool, typer.Option("--seed/--no-seed", help="Add the demo catalogue")] = True,
) -> None:
    """Create or upgrade the schema of DATABASE_URL (and seed the demo catalogue)."""
    from order_saga.db.engine import display_url, make_engine
    from order_saga.embedded.stack import prepare_database

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        prepare_database(engine, seed=seed)
    finally:
        engine.dispose()
    typer.echo(f"Database {display_url(settings.database_url)} is at the latest schema.")
