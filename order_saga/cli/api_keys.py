"""`order-saga api-key create|list|revoke`: the HTTP API's keys for storefront backends without
an identity provider. A key is shown once, when created; the database keeps only its hash."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from order_saga import help_format
from order_saga.access import api_keys
from order_saga.access.roles import Role
from order_saga.cli import CliError, OrderSagaApp
from order_saga.cli.database import migrated_session
from order_saga.cli.output import Output, OutputOption

api_key_app = OrderSagaApp(
    cls=help_format.Group,
    help="Manage the HTTP API's keys (shown once; stored only as hashes).",
    no_args_is_help=True,
)


@api_key_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who uses it, e.g. web-shop")],
    role: Annotated[Role, typer.Option(help="What it may do", case_sensitive=False)],
    output: OutputOption = Output.TEXT,
) -> None:
    """Create a key and print it once: keep it now, it cannot be shown again."""
    if not 1 <= len(name) <= 64:
        raise CliError("--name: 1 to 64 characters")
    if role == Role.CUSTOMER:  # a key's name would have to be the customer's id
        raise CliError(
            "--role: keys are for storefront backends and operators; a customer signs in "
            "through the identity provider (a JWT whose subject is their id)"
        )
    try:
        with migrated_session() as session:
            key = api_keys.create(session=session, name=name, role=role)
    except api_keys.KeyExists as err:
        raise CliError(str(err)) from err
    if output.is_json:
        typer.echo(json.dumps({"name": name, "role": role.value, "key": key}))
        return
    typer.echo(key)
    typer.echo(f"API key {name!r} ({role.value}); shown only now: store it.", err=True)


def iso(moment: datetime | None) -> str | None:
    """A stored time in RFC 3339, UTC."""
    return api_keys.utc(moment).isoformat() if moment else None


@api_key_app.command("list")
def list_keys(output: OutputOption = Output.TEXT) -> None:
    """Every key: name, role, the start of the key, created, last used, revoked."""
    with migrated_session() as session:
        rows = [
            {
                "name": k.name,
                "role": k.role,
                "starts_with": k.shown_prefix,
                "created_at": api_keys.utc(k.created_at).isoformat(),
                "last_used_at": api_keys.utc(k.last_used_at).isoformat()
                if k.last_used_at
                else None,
                "revoked_at": api_keys.utc(k.revoked_at).isoformat() if k.revoked_at else None,
            }
            for k in api_keys.listed(session=session)
        ]
    if output == Output.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    if output == Output.JSONL:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    for row in rows:
        state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
        used = row["last_used_at"] or "never used"
        typer.echo(f"{row['name']:<24} {row['role']:<10} {row['starts_with']}…  {used:<32} {state}")


@api_key_app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name")]) -> None:
    """Refuse a key from now on (the record of it stays)."""
    with migrated_session() as session:
        if not api_keys.revoke(session=session, name=name):
            raise CliError(f"no active API key named {name!r}")
    typer.echo(f"API key {name!r} revoked")
