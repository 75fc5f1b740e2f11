"""Bearer JWTs from the operator's identity provider, verified against its JWKS (PyJWT).

Only asymmetric algorithms are accepted, so neither `alg: none` nor an HS256 token signed
with the provider's public key passes; issuer, audience, expiry and not-before are checked.
"""

from __future__ import annotations

from typing import Any

import jwt

from order_saga.access.roles import Caller, strongest

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
LEEWAY_SECONDS = 30  # clocks of the provider and this host differ a little


class Unauthenticated(Exception):
    """The credentials prove no one: missing, malformed, forged, expired or revoked."""


class NoRole(Exception):
    """The credentials prove who the caller is, but grant them no role here."""


class AuthUnavailable(Exception):
    """Who the caller is cannot be checked now (the JWKS or the key store is unreachable)."""


class TokenVerifier:
    """Checks a provider's JWTs. PyJWT's JWKS client keeps the key set for five minutes (a key
    the provider withdraws is refused after that) and fetches it again on an unknown `kid` (a
    rotation), at most once per `refresh_cooldown` seconds (unknown kids cannot flood the
    provider)."""

    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str,
        audience: str,
        role_claim: str,
        refresh_cooldown: float = 30,
    ) -> None:
        self._jwks = jwt.PyJWKClient(
            jwks_url, lifespan=300, timeout=10, cooldown_duration=refresh_cooldown
        )
        self._issuer = issuer
        self._audience = audience
        self._role_claim = role_claim

    def caller(self, token: str) -> Caller:
        """Who the token proves the caller is; raises `Unauthenticated` or `AuthUnavailable`."""
        try:
            key = self._jwks.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as err:
            raise AuthUnavailable("the identity provider's keys cannot be fetched") from err
        except (jwt.PyJWKClientError, jwt.DecodeError) as err:
            raise Unauthenticated("the token's signing key is unknown") from err
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as err:
            raise Unauthenticated("the token has expired") from err
        except jwt.InvalidTokenError as err:
            raise Unauthenticated("the token is not valid here") from err
        claimed = claims.get(self._role_claim)
        names = [claimed] if isinstance(claimed, str) else claimed
        if not isinstance(names, list):
            names = []
        role = strongest([n for n in names if isinstance(n, str)])
        if role is None:
            raise NoRole(f"the token's {self._role_claim} claim names no role of this API")
        return Caller(name=str(claims["sub"]), role=role, via="jwt")
