"""Run the local Stripe server: in the caller's event loop, or on a thread of its own for
sync code (the tests' shared server), with webhook delivery while it runs."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Iterator

from aiohttp import web

from order_saga.embedded.local_stripe.app import build_app
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint, deliver_forever


async def start(state: LocalStripe, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve in the running event loop; returns the runner (to clean up) and the base URL."""
    app = build_app(state)
    if state.webhook is not None:
        app.cleanup_ctx.append(_delivering(state, state.webhook))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    state.ledger.public_url = f"http://{host}:{bound}"  # for the 3-D Secure page's address
    return runner, f"http://{host}:{bound}"


def _delivering(
    state: LocalStripe, endpoint: WebhookEndpoint
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Webhook delivery for as long as the server runs."""

    async def delivering(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(deliver_forever(state.ledger, state.delivered, endpoint))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return delivering


@contextlib.contextmanager
def serve_in_thread(state: LocalStripe) -> Iterator[str]:
    """The local Stripe server on its own thread and loop, so sync code can call it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner, base_url = asyncio.run_coroutine_threadsafe(start(state, "127.0.0.1", 0), loop).result(
        timeout=30
    )
    try:
        yield base_url
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
