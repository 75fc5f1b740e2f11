"""`order-saga api`: the HTTP order API in the foreground, until Ctrl-C."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from order_saga.cli import ENVCONFIG, Temporal, temporal_options
from order_saga.settings import API_PORT, Settings


@temporal_options
def api(
    host: Annotated[str, typer.Option(help="0.0.0.0 inside a container")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = API_PORT,
    serve_codec: Annotated[
        bool,
        typer.Option(
            "--serve-codec/--no-serve-codec",
            help="Also serve the Web UI's codec endpoint on /codec (PAYLOAD_KEYS): it decrypts "
            "for operators",
        ),
    ] = False,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Serve the HTTP order API (POST /api/orders, ...; OpenAPI docs on /docs) until Ctrl-C."""
    from order_saga.api.serving import api_server, listening_socket
    from order_saga.logs import configure_logging

    configure_logging()  # the audit trail (who cancelled, who settled) and the warnings
    settings = Settings()
    sock = listening_socket(host, port)

    async def run() -> None:
        client = await temporal.connect(settings)
        typer.echo(f"Order API on http://{host}:{port}/api/orders (docs: /docs)")
        await api_server(client, settings, serve_codec=serve_codec).serve(sockets=[sock])

    asyncio.run(run())
