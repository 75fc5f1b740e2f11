"""A stand-in identity provider for tests and benchmarks: RSA keys served as a JWKS over HTTP,
tokens minted with PyJWT, and the forgeries an attacker would try."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://idp.test/"
AUDIENCE = "order-saga-api"


class IdentityProvider:
    """Signs tokens with its current key; its JWKS lists the keys it publishes."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.current = self.rotate()
        self.fetches = 0
        self._server: http.server.ThreadingHTTPServer | None = None

    def rotate(self) -> str:
        """A new signing key, published beside the old ones; returns its kid."""
        kid = uuid.uuid4().hex[:8]
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.current = kid
        return kid

    def jwks(self) -> dict[str, Any]:
        found = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            found.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": found}

    def token(self, subject: str, roles: list[str] | str, **changes: Any) -> str:
        """A token as the provider issues it; `changes` override claims (exp, aud, iss...)."""
        now = int(time.time())
        claims = {
            "sub": subject,
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "nbf": now,
            "exp": now + 300,
            "roles": roles,
        }
        kid = changes.pop("kid", self.current)
        claims.update(changes)
        return jwt.encode(claims, self.keys[self.current], algorithm="RS256", headers={"kid": kid})

    def forged(self, subject: str, roles: list[str]) -> str:
        """Signed by another key under the provider's kid."""
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        now = int(time.time())
        claims = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "roles": roles}
        return jwt.encode(claims, other, algorithm="RS256", headers={"kid": self.current})

    def unsigned(self, subject: str, roles: list[str]) -> str:
        """`alg: none`."""
        now = int(time.time())
        claims = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "roles": roles}
        return jwt.encode(claims, None, algorithm="none", headers={"kid": self.current})

    def hs256_with_public_key(self, subject: str, roles: list[str]) -> str:
        """The algorithm-confusion attack: HMAC keyed with the provider's public key."""
        public = (
            self.keys[self.current]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT", "kid": self.current}
        claims = {"sub": subject, "iss": ISSUER, "aud": AUDIENCE, "exp": now + 300, "roles": roles}

        def part(data: dict[str, Any]) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        signing_input = f"{part(header)}.{part(claims)}"
        signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"

    @contextlib.contextmanager
    def serving(self) -> Iterator[str]:
        """The JWKS on a real port; yields its URL."""
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps(provider.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
        finally:
            server.shutdown()
            server.server_close()
