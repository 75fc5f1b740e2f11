"""The embedded stack's ports: refused when another process holds one, and the wait for the
Temporal frontend to answer on its own."""

from __future__ import annotations

import asyncio
import socket

from temporalio.client import Client
from temporalio.converter import PayloadCodec

from order_saga.temporal import connect

STARTUP_DEADLINE_SECONDS = 60.0


class PortTaken(OSError):
    """A port the stack would serve on is held by a process it did not start."""


def refuse_held_ports(ports: dict[int, str]) -> None:
    """Refuse to start beside whatever already holds one of the stack's ports: a client
    would reach that instead, and nothing would say so."""
    for port, what in ports.items():
        if port_open("127.0.0.1", port):
            raise PortTaken(
                f"port {port} ({what}) is already in use by another process; stop it (another "
                "`order-saga dev`?) or run `order-saga demo`, which uses a stack already running"
            )


def port_open(host: str, port: int) -> bool:
    """Whether something already listens there (a stack started elsewhere)."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


async def wait_for_temporal(
    address: str,
    *,
    tracing: bool = False,
    codec: PayloadCodec | None = None,
    deadline: float = STARTUP_DEADLINE_SECONDS,
) -> Client:
    """Poll until the frontend answers, or fail with the address it could not reach."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + deadline
    while True:
        try:
            return await connect(address, tracing=tracing, codec=codec)
        except RuntimeError as err:
            if loop.time() > give_up:
                message = f"Temporal at {address} did not come up in {deadline:.0f}s"
                raise RuntimeError(message) from err
            await asyncio.sleep(0.25)  # polling a starting server, bounded by the deadline
