"""Serving an app on a real port of this machine, for the tests and the chaos run that talk
HTTP to it: the socket is bound first (port 0, so no other process can take it between a
free-port probe and the bind), then uvicorn serves on it."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator

import uvicorn
from fastapi import FastAPI

from order_saga.api.serving import EmbeddedServer


@contextlib.asynccontextmanager
async def serving(app: FastAPI, log_level: str = "warning") -> AsyncIterator[str]:
    """`app` served by uvicorn on a free port of 127.0.0.1; yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        server = EmbeddedServer(uvicorn.Config(app, log_level=log_level))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and not task.done(), "the API never started"
            await asyncio.sleep(0.05)  # polling uvicorn's own started flag, with a deadline
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            await task
