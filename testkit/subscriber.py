"""A subscriber to order events over real HTTP, as an integrator would run one: it checks
each delivery's signature with the documented scheme (written out here with hmac, not with
the project's own signing code) and keeps what it was sent. `down` answers 503 until cleared."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


def documented_signature_holds(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """docs/notifications.md's recipe: split `t=...,v1=...`, HMAC-SHA256 `<t>.<body>` with
    the secret, compare in constant time, refuse a stale `t`."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    fresh = abs(time.time() - int(fields["t"])) <= tolerance
    return fresh and hmac.compare_digest(expected.hexdigest(), fields["v1"])


@dataclass
class Subscriber:
    secret: str = ""
    down: bool = False
    refused: int = 0  # deliveries answered 503
    received: list[dict[str, Any]] = field(default_factory=list)  # every delivery taken
    forged: int = 0  # deliveries whose signature did not hold

    def events_of(self, order_id: str, stream: str = "") -> list[dict[str, Any]]:
        """One order's events, once each (by id), in the order they arrived; with `stream`
        ("order", "dispute"), those of one workflow kind alone (each numbers its own)."""
        seen: dict[str, dict[str, Any]] = {}
        for event in self.received:
            if event["order_id"] == order_id and event["id"].startswith(f"evt_{stream}"):
                seen.setdefault(event["id"], event)
        return list(seen.values())

    def by_order(self) -> dict[str, list[dict[str, Any]]]:
        """Every order's deliveries, duplicates included, in arrival order."""
        orders: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in self.received:
            orders[event["order_id"]].append(event)
        return orders

    async def handle(self, request: web.Request) -> web.Response:
        """Take a delivery, or refuse it while down."""
        if self.down:
            self.refused += 1
            return web.Response(status=503)
        body = await request.read()
        if not documented_signature_holds(
            self.secret, request.headers.get("Order-Saga-Signature", "t=0,v1="), body
        ):
            self.forged += 1
            return web.Response(status=400)
        self.received.append(json.loads(body))
        return web.Response(status=204)


@asynccontextmanager
async def serve_subscriber(subscriber: Subscriber) -> AsyncIterator[str]:
    """Serve it on a free local port; yields its URL."""
    app = web.Application()
    app.router.add_post("/hooks", subscriber.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        await runner.cleanup()


# The last event each end announces (an order waiting for a person has not ended).
LAST_EVENT = {
    "COMPLETED": "order.completed",
    "PARTIALLY_SHIPPED": "order.completed",  # its status and parcels say which shipped
    "COMPENSATED": "order.compensated",
    "CANCELLED": "order.cancelled",
    "EXPIRED": "order.expired",
    "RESOLVED": "order.resolved",
    "COMPENSATION_FAILED": "order.needs_attention",
}


async def until_every_order_told(
    subscriber: Subscriber, ends: dict[str, str], seconds: float = 120
) -> dict[str, list[str]]:
    """Poll until each order's events reached its end's event (or the deadline); each
    order's event types, once each, in the order they first arrived."""
    give_up = asyncio.get_running_loop().time() + seconds
    while True:
        told = {
            order_id: [e["type"] for e in subscriber.events_of(order_id, "order-")]
            for order_id in ends
        }
        if (
            all(
                types and types[-1] == LAST_EVENT[ends[order_id]]
                for order_id, types in told.items()
            )
            or asyncio.get_running_loop().time() > give_up
        ):
            return told
        await asyncio.sleep(0.5)  # polling what the subscriber got, with a deadline


def out_of_order(subscriber: Subscriber) -> list[str]:
    """Orders whose events first arrived out of sequence."""
    return [
        order_id
        for order_id in subscriber.by_order()
        for stream in ("order-", "dispute-")
        if [e["sequence"] for e in subscriber.events_of(order_id, stream)]
        != list(range(1, len(subscriber.events_of(order_id, stream)) + 1))
    ]
