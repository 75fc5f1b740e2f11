"""The trust boundary's edges: a rotated signing key, authentication disabled behind a
gateway, credentials that cannot be checked now (503, retry) and a token without a role
(403); a refusal leaks nothing."""

from __future__ import annotations

import httpx
import pytest

from order_saga.access.authenticator import Authenticator
from order_saga.access.tokens import TokenVerifier
from order_saga.api.app import create_app
from order_saga.db.engine import make_engine
from testkit.identity import AUDIENCE, ISSUER, IdentityProvider
from tests.order_saga.api.conftest import SecuredApi
from tests.ports import free_port

pytestmark = pytest.mark.slow

OTHER = "cust-b"


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
    return free_port()
