"""The trust boundary as a table: every route, asked with no credentials, each kind of bad one
and each role, over HTTP against the real app; each answer as the table says. The table the
test ran is written to test-artifacts/access-table.md."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from order_saga.access.roles import Role
from order_saga.client import start_order
from tests.helpers import new_key_for, order_data
from tests.order_saga.api.conftest import SecuredApi
from workflows.order_request import OrderRequest

pytestmark = pytest.mark.slow

BAD = ["none", "forged", "expired", "not yet valid", "wrong audience", "wrong issuer",
       "alg none", "HS256 with the public key", "unknown key", "revoked key"]  # fmt: skip
GOOD = ["customer (own)", "customer (other)", "storefront key", "storefront JWT", "operator key",
        "operator JWT"]  # fmt: skip
OWNER, OTHER = "cust-a", "cust-b"


def credentials(api: SecuredApi) -> dict[str, dict[str, str]]:
    idp, now = api.idp, int(time.time())
    _, revoked = new_key_for(api.engine, Role.STOREFRONT)
    revoked_name = api.keys[Role.STOREFRONT][0] + "-revoked"
    _, revoked = new_key_for(api.engine, Role.STOREFRONT, revoked_name)
    from activities.database import transaction
    from order_saga.access import api_keys

    with transaction(api.engine) as session:
        api_keys.revoke(session=session, name=revoked_name)
    return {
        "none": {},
        "forged": api.bearer(idp.forged(OWNER, ["customer"])),
        "expired": api.bearer(idp.token(OWNER, ["customer"], exp=now - 120, iat=now - 600)),
        "not yet valid": api.bearer(idp.token(OWNER, ["customer"], nbf=now + 600)),
        "wrong audience": api.bearer(idp.token(OWNER, ["customer"], aud="another-api")),
        "wrong issuer": api.bearer(idp.token(OWNER, ["customer"], iss="https://evil.test/")),
        "alg none": api.bearer(idp.unsigned(OWNER, ["operator"])),
        "HS256 with the public key": api.bearer(idp.hs256_with_public_key(OWNER, ["operator"])),
        "unknown key": api.bearer("osk_" + uuid.uuid4().hex),
        "revoked key": api.bearer(revoked),
        "customer (own)": api.jwt(OWNER, "customer"),
        "customer (other)": api.jwt(OTHER, "customer"),
        "storefront key": api.key(Role.STOREFRONT),
        "storefront JWT": api.jwt("web-shop", "storefront"),
        "operator key": api.key(Role.OPERATOR),
        "operator JWT": api.jwt("alice", "operator", "customer"),  # the strongest role counts
    }


Request = Callable[[httpx.AsyncClient, dict[str, str]], Any]


def routes(existing: str, sku: str) -> dict[str, tuple[Request, dict[str, int]]]:
    """Each route, how it is asked, and what each good credential gets (every bad one: 401)."""

    def create(http: httpx.AsyncClient, headers: dict[str, str]) -> Any:
        body = order_data(  # no order_id: a customer may not choose one
            customer_id=OWNER,
            items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
            handover_delay_seconds=3600,
        )
        return http.post("/api/orders", json=body, headers=headers)

    every = dict.fromkeys(GOOD, 200)
    return {
        "POST /api/orders (for cust-a)": (
            create,
            {**dict.fromkeys(GOOD, 202), "customer (other)": 403},
        ),
        "GET /api/orders/{id} (cust-a's)": (
            lambda h, c: h.get(f"/api/orders/{existing}", headers=c),
            {**every, "customer (other)": 404},
        ),
        "GET /api/orders": (lambda h, c: h.get("/api/orders", headers=c), every),
        "POST /api/orders/{id}/cancel (no such order)": (
            lambda h, c: h.post("/api/orders/no-such-order/cancel", headers=c),
            dict.fromkeys(GOOD, 404),
        ),
        "POST /api/orders/{id}/resolve (not waiting)": (
            lambda h, c: h.post(
                f"/api/orders/{existing}/resolve", json={"action": "retry"}, headers=c
            ),
            {**dict.fromkeys(GOOD, 403), "operator key": 409, "operator JWT": 409},
        ),
        "PATCH /api/orders/{id} (cust-a's, to where it ships)": (
            lambda h, c: h.patch(
                f"/api/orders/{existing}",
                json={"shipping_address": order_data()["shipping_address"]},
                headers=c,
            ),
            {**dict.fromkeys(GOOD, 409), "customer (other)": 404},
        ),
        "POST /api/orders/{id}/review (not held)": (
            lambda h, c: h.post(
                f"/api/orders/{existing}/review",
                json={"decision": "approve", "reason": "known buyer"},
                headers=c,
            ),
            {**dict.fromkeys(GOOD, 403), "operator key": 409, "operator JWT": 409},
        ),
        "POST /api/orders/{id}/returns (not yet shipped)": (
            lambda h, c: h.post(
                f"/api/orders/{existing}/returns",
                json={"items": [{"sku": sku, "quantity": 1}]},
                headers=c,
            ),
            {**dict.fromkeys(GOOD, 409), "customer (other)": 404},
        ),
        "GET /api/returns/{id} (no such return)": (
            lambda h, c: h.get(f"/api/returns/return-{existing}-9", headers=c),
            dict.fromkeys(GOOD, 404),
        ),
        "POST /api/returns/{id}/receive (no such return)": (
            lambda h, c: h.post(f"/api/returns/return-{existing}-9/receive", headers=c),
            {**dict.fromkeys(GOOD, 403), "operator key": 404, "operator JWT": 404},
        ),
        "GET /api/webhooks": (
            lambda h, c: h.get("/api/webhooks", headers=c),
            {**dict.fromkeys(GOOD, 403), "operator key": 200, "operator JWT": 200},
        ),
        "POST /codec/decode": (
            lambda h, c: h.post("/codec/decode", json={"payloads": []}, headers=c),
            {**dict.fromkeys(GOOD, 403), "operator key": 200, "operator JWT": 200},
        ),
    }


async def test_every_route_answers_each_caller_as_the_table_says(
    secured: SecuredApi, http: httpx.AsyncClient, make_product, artifacts: Path
) -> None:
    sku = make_product(stock=50)
    existing = OrderRequest.model_validate(
        order_data(
            order_id=f"t-{uuid.uuid4().hex[:12]}",
            customer_id=OWNER,
            items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
            handover_delay_seconds=3600,
        )
    )
    await start_order(secured.client, existing, secured.queue_prefix)
    given = credentials(secured)
    table: dict[str, dict[str, int]] = {}
    mismatches = []
    for route, (ask, expected) in routes(existing.order_id, sku).items():
        row = table.setdefault(route, {})
        for name in BAD + GOOD:
            answer = await ask(http, given[name])
            row[name] = answer.status_code
            want = expected.get(name, 401)
            if answer.status_code != want:
                mismatches.append(f"{route} as {name}: {answer.status_code} {answer.text[:200]}")
            if answer.status_code in (401, 403, 404, 429):
                assert answer.headers["content-type"] == "application/problem+json"
            if answer.status_code == 401:
                assert answer.headers["www-authenticate"].startswith('Bearer realm="order-saga"')
    # The probes need no one; Stripe's webhook authenticates by its signature alone.
    for name in BAD + GOOD:
        table.setdefault("GET /healthz", {})[name] = (
            await http.get("/healthz", headers=given[name])
        ).status_code
        table.setdefault("POST /webhooks/stripe (unsigned)", {})[name] = (
            await http.post("/webhooks/stripe", content=b"{}", headers=given[name])
        ).status_code
    assert set(table["GET /healthz"].values()) == {200}
    assert set(table["POST /webhooks/stripe (unsigned)"].values()) == {503}  # no secret set
    write_table(table, artifacts / "access-table.md")
    assert not mismatches, "\n".join(mismatches)


def write_table(table: dict[str, dict[str, int]], path: Path) -> None:
    columns = BAD + GOOD
    lines = ["| route | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for route, row in table.items():
        lines.append(f"| {route} | " + " | ".join(str(row[c]) for c in columns) + " |")
    path.write_text("\n".join(lines) + "\n")
