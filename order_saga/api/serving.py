"""Serving the order API with uvicorn: alone (`order-saga api`) or inside `order-saga dev`."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from limits.storage import Storage, storage_from_string
from sqlalchemy import Engine
from temporalio.client import Client

from order_saga.access.authenticator import Authenticator
from order_saga.access.tokens import TokenVerifier
from order_saga.api.app import create_app
from order_saga.db.engine import make_engine
from order_saga.settings import Settings


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound (and listening) before serving, so a port in use is one clear line, not a
    server's log."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise OSError(f"cannot serve the API on {host}:{port}: {err.strerror}") from err
    # Listening at once: a request sent as soon as `dev` says "Ready." waits in the backlog
    # for the server's first turn of the loop instead of being refused.
    sock.listen(2048)
    return sock


class EmbeddedServer(uvicorn.Server):
    """A server that stops when told (`should_exit`), leaving Ctrl-C to the command that
    embeds it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals stay with the embedding command."""
        yield


def authenticator_for(settings: Settings, engine: Engine) -> Authenticator:
    """API keys from the database, JWTs from the provider when AUTH_JWKS_URL is set."""
    verifier = None
    if settings.auth_jwks_url:
        verifier = TokenVerifier(
            settings.auth_jwks_url,
            issuer=settings.auth_issuer or "",
            audience=settings.auth_audience or "",
            role_claim=settings.auth_role_claim,
        )
    return Authenticator(engine=engine, verifier=verifier, disabled=settings.auth_disabled)


def rate_storage(settings: Settings) -> Storage | None:
    """The rate limit's shared counts (RATE_LIMIT_STORAGE_URL), or None: this process's."""
    url = settings.rate_limit_storage_url
    if url is None:
        return None
    storage = storage_from_string(url.get_secret_value())
    assert isinstance(storage, Storage)  # a sync scheme: the limiter is called in a route
    return storage


def api_server(
    client: Client,
    settings: Settings,
    *,
    embedded: bool = False,
    serve_codec: bool = False,
    eager_start: bool = False,
) -> uvicorn.Server:
    """A uvicorn server of the order API on `client`; serve it on a `listening_socket`. With
    `serve_codec` (and PAYLOAD_KEYS), also the Web UI's codec endpoint on /codec; with
    `eager_start`, a colocated worker on `client` takes each saga's first task at its start."""
    engine = make_engine(settings.database_url, pool_size=4)  # API keys; the readiness probe
    app = create_app(
        client,
        settings.queue_prefix,
        default_deadline_seconds=settings.order_deadline_seconds,
        codec=settings.payload_codec() if serve_codec else None,
        codec_origins=settings.codec_origins,
        engine=engine,
        webhook_secret=settings.webhook_secret,
        authenticator=authenticator_for(settings, engine),
        order_rate=settings.order_rate_limit,
        codec_for_local_ui=embedded,  # the dev stack's Web UI has no login to forward
        eager_start=eager_start,
        webhook_targets=settings.webhook_targets(),
        rate_storage=rate_storage(settings),
        return_window_days=settings.return_window_days,
        operator_email=settings.operator_email,
        carrier_secret=settings.carrier_secret,
    )
    config = uvicorn.Config(app, log_level="warning" if embedded else "info")
    return EmbeddedServer(config) if embedded else uvicorn.Server(config)
