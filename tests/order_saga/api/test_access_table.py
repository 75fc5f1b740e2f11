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


async def test_a_rotated_signing_key_is_picked_up_and_a_refusal_leaks_nothing(
    secured: SecuredApi, http: httpx.AsyncClient
) -> None:
    before = await http.get("/api/orders", headers=secured.jwt("alice", "operator"))
    fetched = secured.idp.fetches
    secured.idp.rotate()  # the provider signs with a new kid from now on
    after = await http.get("/api/orders", headers=secured.jwt("alice", "operator"))
    again = await http.get("/api/orders", headers=secured.jwt("alice", "operator"))
    assert (before.status_code, after.status_code, again.status_code) == (200, 200, 200)
    assert secured.idp.fetches == fetched + 1  # fetched once for the new kid, then cached
    # A customer asking for another's order and for one that never existed: the same answer.
    other = await http.get("/api/orders/no-such-order", headers=secured.jwt(OTHER, "customer"))
    assert other.status_code == 404 and other.json()["detail"] == "no saga for order no-such-order"


async def test_behind_a_gateway_authentication_can_be_disabled_and_the_api_warns(
    env, queue_prefix, caplog
) -> None:
    from order_saga.access.authenticator import Authenticator
    from order_saga.api.app import create_app

    with caplog.at_level("WARNING"):
        app = create_app(
            env.client, queue_prefix, authenticator=Authenticator(engine=None, disabled=True)
        )
    assert "authentication is disabled" in caplog.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as http:
        answer = await http.get("/api/orders/no-such-order")
    assert answer.status_code == 404  # past the boundary: the gateway vouched for the caller


async def test_credentials_that_cannot_be_checked_now_are_503_and_a_roleless_token_403(
    env, queue_prefix, free_jwks_port
) -> None:
    from order_saga.access.authenticator import Authenticator
    from order_saga.access.tokens import TokenVerifier
    from order_saga.api.app import create_app
    from order_saga.db.engine import make_engine
    from testkit.identity import AUDIENCE, ISSUER, IdentityProvider

    provider = IdentityProvider()
    gone = f"http://127.0.0.1:{free_jwks_port}/jwks.json"  # the provider is down
    unreachable_db = make_engine("postgresql://postgres@127.0.0.1:1/none", pool_size=1)
    verifier = TokenVerifier(gone, issuer=ISSUER, audience=AUDIENCE, role_claim="roles")
    app = create_app(
        env.client,
        queue_prefix,
        authenticator=Authenticator(engine=unreachable_db, verifier=verifier),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as http:
        by_jwt = await http.get(
            "/api/orders", headers={"Authorization": f"Bearer {provider.token('a', ['operator'])}"}
        )
        by_key = await http.get("/api/orders", headers={"Authorization": "Bearer osk_whatever"})
    for answer in (by_jwt, by_key):  # an outage of ours is not the caller's fault: retry
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5", answer.text
    unreachable_db.dispose()
    with provider.serving() as jwks_url:
        verifier = TokenVerifier(jwks_url, issuer=ISSUER, audience=AUDIENCE, role_claim="roles")
        app = create_app(
            env.client, queue_prefix, authenticator=Authenticator(engine=None, verifier=verifier)
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://api"
        ) as http:
            roleless = await http.get(
                "/api/orders", headers={"Authorization": f"Bearer {provider.token('a', ['admin'])}"}
            )
    assert roleless.status_code == 403 and "roles" in roleless.json()["detail"]


@pytest.fixture
def free_jwks_port() -> int:
    from tests.conftest import free_port

    return free_port()
