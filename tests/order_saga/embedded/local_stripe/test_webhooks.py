"""Webhooks from the local Stripe server: each event signed as Stripe signs (the stripe SDK
verifies it), delivered at least once (retried while the endpoint fails, kept in the journal
across a restart), none kept when no endpoint is configured."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import stripe
from aiohttp import web

from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread

SECRET = "whsec_local_test"


class Receiver:
    """A webhook endpoint on its own thread: verifies each event with the stripe SDK, and
    answers 500 to the first `fail_first` deliveries."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first, self.calls = fail_first, 0
        self.events: list[stripe.Event] = []
        self.url = ""

    async def _handle(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.calls <= self.fail_first:
            return web.Response(status=500)
        event = stripe.Webhook.construct_event(
            await request.read(), request.headers["Stripe-Signature"], SECRET
        )
        self.events.append(event)
        return web.json_response({"received": True})

    def types(self) -> list[str]:
        return [e.type for e in self.events]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()

    async def serve() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/hook", found._handle)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        found.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        return runner

    runner = asyncio.run_coroutine_threadsafe(serve(), loop).result(timeout=10)
    yield found
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)


def authorize(base_url: str) -> stripe.PaymentIntent:
    client = make_stripe_client(Settings(stripe_api_base=base_url))
    params = {
        "amount": 1999,
        "currency": "usd",
        "payment_method": "pm_card_visa",
        "capture_method": "manual",
        "confirm": True,
        "metadata": {"order_id": "o-hook"},
    }
    return client.v1.payment_intents.create(params=params)  # type: ignore[arg-type]


def wait_for(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not delivered in time"
        time.sleep(0.05)  # the server delivers on its own thread


def test_events_are_signed_as_stripe_signs_and_retried_until_taken(
    receiver: Receiver, tmp_path: Path
) -> None:
    receiver.fail_first = 2
    state = LocalStripe(
        state_file=tmp_path / "s.json", webhook=WebhookEndpoint(receiver.url, SECRET)
    )
    with serve_in_thread(state) as base_url:
        intent = authorize(base_url)
        wait_for(lambda: receiver.events)
        wait_for(lambda: not state.ledger.events)  # journalled as delivered, then forgotten
    state.close()
    assert receiver.types() == ["payment_intent.amount_capturable_updated"]
    assert receiver.calls == 3  # two 500s, then taken
    delivered = receiver.events[0].data.object
    assert (delivered["id"], delivered["metadata"]["order_id"]) == (intent.id, "o-hook")


def test_an_undelivered_event_survives_a_restart(receiver: Receiver, tmp_path: Path) -> None:
    state_file = tmp_path / "s.json"
    nowhere = WebhookEndpoint("http://127.0.0.1:9/hook", SECRET)  # nothing listens there
    first = LocalStripe(state_file=state_file, webhook=nowhere)
    with serve_in_thread(first) as base_url:
        authorize(base_url)
    first.close()
    assert len(first.ledger.events) == 1
    again = LocalStripe(state_file=state_file, webhook=WebhookEndpoint(receiver.url, SECRET))
    with serve_in_thread(again):
        wait_for(lambda: receiver.events)
    again.close()
    assert receiver.types() == ["payment_intent.amount_capturable_updated"]


def test_without_an_endpoint_no_event_is_kept(stripe_server: tuple[LocalStripe, str]) -> None:
    authorize(stripe_server[1])
    assert stripe_server[0].ledger.events == {}
