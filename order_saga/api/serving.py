"""Serving the order API with uvicorn: alone (`order-saga api`) or inside `order-saga dev`."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import uvicorn
from temporalio.client import Client

from order_saga.api.app import create_app
from order_saga.db.engine import make_engine
from order_saga.settings import Settings


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound before serving, so a port in use is one clear line, not a server's log."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise OSError(f"cannot serve the API on {host}:{port}: {err.strerror}") from err
    return sock


class EmbeddedServer(uvicorn.Server):
    """A server that stops when told (`should_exit`), leaving Ctrl-C to the command that
    embeds it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Signals stay with the embedding command."""
        yield


def api_server(
    client: Client, settings: Settings, *, embedded: bool = False, serve_codec: bool = False
) -> uvicorn.Server:
    """A uvicorn server of the order API on `client`; serve it on a `listening_socket`. With
    `serve_codec` (and PAYLOAD_KEYS), also the Web UI's codec endpoint on /codec."""
    app = create_app(
        client,
        settings.queue_prefix,
        default_deadline_seconds=settings.order_deadline_seconds,
        codec=settings.payload_codec() if serve_codec else None,
        codec_origins=settings.codec_origins,
        engine=make_engine(settings.database_url, pool_size=1),
        webhook_secret=settings.webhook_secret,
    )
    config = uvicorn.Config(app, log_level="warning" if embedded else "info")
    return EmbeddedServer(config) if embedded else uvicorn.Server(config)
