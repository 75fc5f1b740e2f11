"""The embedded stack's API keys: a storefront key and an operator key, so `order-saga dev`
stays one command with authentication on. Kept in `.data/api-keys.env` (owner-only) and
reused while they still work; new ones are made when the file's keys are gone or revoked."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine

from activities.database import transaction
from order_saga.access import api_keys
from order_saga.access.roles import Role
from order_saga.settings import DATA_DIR

KEYS_FILE = DATA_DIR / "api-keys.env"
VARIABLES = {Role.STOREFRONT: "ORDER_SAGA_STOREFRONT_KEY", Role.OPERATOR: "ORDER_SAGA_OPERATOR_KEY"}


def dev_keys(engine: Engine, path: Path = KEYS_FILE) -> dict[Role, str]:
    """The stack's keys by role: the file's while the database accepts them, else new ones."""
    kept = read_keys(path)
    with transaction(engine) as session:
        if len(kept) == len(VARIABLES) and all(
            api_keys.find_active(session=session, key=key) for key in kept.values()
        ):
            return kept
        suffix = secrets.token_hex(3)
        made = {
            role: api_keys.create(session=session, name=f"dev-{role}-{suffix}", role=role)
            for role in VARIABLES
        }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write("# The dev stack's API keys (order-saga dev); `source` this file to use them.\n")
        file.writelines(f"{VARIABLES[role]}={key}\n" for role, key in made.items())
    return made


def read_keys(path: Path) -> dict[Role, str]:
    """The keys a keys file holds, by role (none when there is no file)."""
    if not path.exists():
        return {}
    values = dict(
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if "=" in line and line[0] != "#"
    )
    return {role: values[name].strip() for role, name in VARIABLES.items() if name in values}
