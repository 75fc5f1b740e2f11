"""API keys from the CLI, used over HTTP: created and shown once, stored only as a hash, their
use recorded, and refused once revoked."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import uuid

import httpx
import pytest
from sqlalchemy import text

from order_saga.access.roles import Role
from tests.order_saga.api.conftest import SecuredApi
from tests.processes import BIN

pytestmark = pytest.mark.slow


def order_saga(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "order-saga", *args], env=env, capture_output=True, text=True, timeout=60
    )


async def test_a_key_is_shown_once_stored_as_a_hash_used_and_revoked(
    secured: SecuredApi, http: httpx.AsyncClient, cli_env: dict[str, str]
) -> None:
    name = f"web-shop-{uuid.uuid4().hex[:6]}"
    created = order_saga(cli_env, "api-key", "create", "--name", name, "--role", "storefront")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    assert key.startswith("osk_") and "shown only now" in created.stderr
    again = order_saga(cli_env, "api-key", "create", "--name", name, "--role", "operator")
    assert again.returncode == 1 and "exists" in again.stderr
    customer = order_saga(cli_env, "api-key", "create", "--name", "ann", "--role", "customer")
    assert customer.returncode == 1 and "identity provider" in customer.stderr

    with secured.engine.connect() as db:
        row = db.execute(text("select * from api_keys where name = :n"), {"n": name}).one()
    stored = " ".join(str(v) for v in row)
    assert key not in stored and key[10:] not in stored  # the key itself is nowhere
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (row.role, row.last_used_at, row.revoked_at) == ("storefront", None, None)

    headers = {"Authorization": f"Bearer {key}"}
    assert (await http.get("/api/orders", headers=headers)).status_code == 200
    refused = await http.post("/api/orders/x/resolve", json={"action": "retry"}, headers=headers)
    assert refused.status_code == 403  # a storefront settles nothing
    listed = json.loads(order_saga(cli_env, "api-key", "list", "-o", "json").stdout)
    mine = next(k for k in listed if k["name"] == name)
    assert mine["last_used_at"] is not None and key not in json.dumps(listed)

    revoked = order_saga(cli_env, "api-key", "revoke", name)
    assert revoked.returncode == 0, revoked.stderr
    after = await http.get("/api/orders", headers=headers)
    assert after.status_code == 401 and after.json()["type"] == "/problems/unauthenticated"
    twice = order_saga(cli_env, "api-key", "revoke", name)
    assert twice.returncode == 1 and "no active API key" in twice.stderr


async def test_the_load_generator_places_orders_as_a_storefront_over_http(
    secured: SecuredApi, cli_env: dict[str, str], dev_server: str, make_product
) -> None:
    make_product(stock=100)  # the load orders from whatever the catalogue stocks
    name, key = secured.keys[Role.STOREFRONT]
    args = ["load", "--api", secured.url, "--count", "4", "--concurrency", "2", "-o", "json",
            "--mix", "success=1", "--address", dev_server]  # fmt: skip
    done = await asyncio.to_thread(order_saga_run, {**cli_env, "ORDER_SAGA_API_KEY": key}, *args)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["outcomes"] == {"COMPLETED": 4}
    with secured.engine.connect() as db:
        used = db.execute(text("select last_used_at from api_keys where name = :n"), {"n": name})
        assert used.scalar() is not None  # the orders came through the key
    refused = await asyncio.to_thread(
        order_saga_run, {**cli_env, "ORDER_SAGA_API_KEY": "osk_nobody"}, *args
    )
    assert refused.returncode == 1 and "401" in refused.stderr


def order_saga_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return order_saga(env, *args)
