"""What checking a caller costs per request: an API key (one indexed lookup, a last-use write
at most once a minute) and a JWT (a signature check against the cached JWKS), on the
database DATABASE_URL names.

    python -m benchmarks.auth_cost --checks 2000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks.auth_cost

The figure is wall time per check in this process (nothing else runs); it does not grow with
the orders stored, only the keys table is read.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable

from activities.database import transaction
from order_saga.access import api_keys
from order_saga.access.authenticator import Authenticator
from order_saga.access.roles import Role
from order_saga.access.tokens import TokenVerifier
from order_saga.db.engine import display_url, make_engine
from order_saga.db.migrate import upgrade
from testkit.identity import AUDIENCE, ISSUER, IdentityProvider


def per_check(check: Callable[[], object], checks: int) -> float:
    for _ in range(min(50, checks)):
        check()  # warm: the connection pool, the JWKS cache
    started = time.perf_counter()
    for _ in range(checks):
        check()
    return (time.perf_counter() - started) / checks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/orders.db"
    engine = make_engine(url, pool_size=4)
    upgrade(engine)
    with transaction(engine) as session:
        key = api_keys.create(
            session=session, name=f"bench-{uuid.uuid4().hex[:8]}", role=Role.STOREFRONT
        )
    idp = IdentityProvider()
    with idp.serving() as jwks_url:
        verifier = TokenVerifier(jwks_url, issuer=ISSUER, audience=AUDIENCE, role_claim="roles")
        authenticator = Authenticator(engine=engine, verifier=verifier)
        token = idp.token("web-shop", ["storefront"])
        by_key = per_check(lambda: authenticator.caller(key), args.checks)
        by_jwt = per_check(lambda: authenticator.caller(token), args.checks)
    print(f"database: {display_url(url)}; {args.checks} checks each")
    print(f"API key check: {by_key * 1e6:.0f} us")
    print(f"JWT check (RS256, cached JWKS): {by_jwt * 1e6:.0f} us")


if __name__ == "__main__":
    main()
