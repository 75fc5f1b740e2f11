"""Who a request's bearer token proves the caller is: an API key (looked up by its
hash) or a provider's JWT. One object per API process."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from activities.database import transaction
from order_saga.access import api_keys
from order_saga.access.roles import Caller, Role
from order_saga.access.tokens import AuthUnavailable, TokenVerifier, Unauthenticated

# With authentication disabled (a gateway in front already checked the caller), requests act
# as this operator, and the record says so.
GATEWAY = Caller(name="behind-gateway", role=Role.OPERATOR, via="none")


class Authenticator:
    """Checks credentials; with neither a JWKS nor a key store, only `disabled` lets anyone in."""

    def __init__(
        self,
        *,
        engine: Engine | None,
        verifier: TokenVerifier | None = None,
        disabled: bool = False,
    ) -> None:
        self._engine = engine
        self._verifier = verifier
        self.disabled = disabled

    def caller(self, token: str | None) -> Caller:
        """The caller a bearer token proves, or `Unauthenticated`/`AuthUnavailable`. Blocking
        (a database lookup, a JWKS fetch): call it from a thread."""
        if self.disabled:
            return GATEWAY
        token = (token or "").strip()
        if not token:
            raise Unauthenticated("a bearer token is required")
        if api_keys.looks_like_key(token):
            return self._key_caller(token)
        if self._verifier is None:
            raise Unauthenticated("this API accepts API keys only (no identity provider is set)")
        return self._verifier.caller(token)

    def _key_caller(self, key: str) -> Caller:
        if self._engine is None:
            raise Unauthenticated("this API accepts no API keys")
        try:
            with transaction(self._engine) as session:
                row = api_keys.find_active(session=session, key=key)
                found = None if row is None else Caller(row.name, Role(row.role), "api-key")
        except OperationalError as err:
            raise AuthUnavailable("the key store cannot be reached") from err
        if found is None:
            raise Unauthenticated("the API key is unknown or revoked")
        return found
