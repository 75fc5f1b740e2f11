"""The order API behind its trust boundary, served on a real port: a test identity provider's
JWKS, API keys in the test database, a real dev server and a worker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client

from activities.notification.targets import TargetPolicy
from order_saga.access.authenticator import Authenticator
from order_saga.access.roles import Role
from order_saga.access.tokens import TokenVerifier
from order_saga.api.app import create_app
from order_saga.codec import EncryptionCodec, new_key, parse_keys
from order_saga.temporal import connect
from order_saga.worker_group import build_worker
from testkit.identity import AUDIENCE, ISSUER, IdentityProvider
from testkit.serving import serving
from tests.helpers import new_key_for, order_data, worker_settings

CARRIER_SECRET = "whsec_carrier-test"


@pytest.fixture(scope="module")
def idp() -> Iterator[tuple[IdentityProvider, str]]:
    provider = IdentityProvider()
    with provider.serving() as jwks_url:
        yield provider, jwks_url


@dataclass
class SecuredApi:
    url: str
    client: Client
    engine: Engine
    queue_prefix: str
    idp: IdentityProvider
    keys: dict[Role, tuple[str, str]] = field(default_factory=dict)

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def key(self, role: Role) -> dict[str, str]:
        return self.bearer(self.keys[role][1])

    def jwt(self, subject: str, *roles: str) -> dict[str, str]:
        return self.bearer(self.idp.token(subject, list(roles)))


@pytest.fixture
async def secured(  # type: ignore[no-untyped-def]
    dev_server: str, engine: Engine, stripe_server, queue_prefix: str, idp, request
) -> AsyncIterator[SecuredApi]:
    provider, jwks_url = idp
    client = await connect(dev_server)
    rate = getattr(request, "param", "1000 per second")
    # Production's policy unless a test says its subscribers listen on this machine.
    private = request.node.get_closest_marker("webhook_private_targets") is not None
    authenticator = Authenticator(
        engine=engine,
        verifier=TokenVerifier(
            jwks_url, issuer=ISSUER, audience=AUDIENCE, role_claim="roles", refresh_cooldown=0
        ),
    )
    app = create_app(
        client,
        queue_prefix,
        engine=engine,
        authenticator=authenticator,
        codec=EncryptionCodec(parse_keys(f"k1:{new_key()}")),
        order_rate=rate,
        webhook_targets=TargetPolicy(allow_private=private),
        carrier_secret=CARRIER_SECRET,
    )
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(client, settings=settings, engine=engine), serving(app) as url:
        api = SecuredApi(url, client, engine, queue_prefix, provider)
        api.keys = {role: new_key_for(engine, role) for role in Role}
        yield api


@pytest.fixture
async def http(secured: SecuredApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=secured.url, timeout=30) as session:
        yield session


def an_order(sku: str, customer: str, **changes: Any) -> dict[str, Any]:
    changes.setdefault("order_id", f"t-{uuid.uuid4().hex[:12]}")
    return order_data(
        customer_id=customer,
        items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
        handover_delay_seconds=3600,
        **changes,
    )
