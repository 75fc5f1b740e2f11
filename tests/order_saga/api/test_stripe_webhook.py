"""Stripe's webhook endpoint over HTTP, with real signatures (Stripe's scheme: `t=...,v1=`
HMAC-SHA256 of `t.payload` with the endpoint's secret): a good event reaches the saga as a
signal; a tampered, foreign, stale, future or unsigned one is refused; a replay changes nothing."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from temporalio.api.enums.v1 import EventType

from order_saga.access.authenticator import Authenticator
from order_saga.api.app import create_app
from order_saga.client import query_status, start_order
from order_saga.embedded.local_stripe.webhooks import stripe_signature
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, until
from tests.history import scheduled_activities
from workflows.order_state import SagaState

SECRET = "whsec_test_secret"
CARD = "pm_card_threeDSecure2Required"


def signed(payload: bytes, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """The Stripe-Signature header Stripe would send with `payload` (the local Stripe server's
    signer, itself checked against the stripe SDK's verification in its own tests)."""
    stamp = int(time.time()) if at is None else at
    return {"Stripe-Signature": stripe_signature(payload, secret, stamp)}


def event(
    order_id: str, event_id: str = "evt_1", kind: str = "payment_intent.amount_capturable_updated"
) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "data": {
                "object": {
                    "id": "pi_1",
                    "object": "payment_intent",
                    "metadata": {"order_id": order_id},
                }
            },
        }
    ).encode()


async def signals(handle: Any) -> int:
    """The signals in the saga's history."""
    found = 0
    async for e in handle.fetch_history_events():
        found += e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    return found


async def test_a_signed_event_reaches_the_waiting_saga_and_every_bad_one_is_refused(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    asked = order((make_product(stock=2), 1, "19.99"), payment_method=CARD)
    shipped = order((make_product(stock=2), 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 3600}
    )
    app = create_app(
        env.client, queue_prefix, webhook_secret=SECRET, authenticator=Authenticator(engine=None)
    )
    settings = Settings(stripe_api_base=stripe_server[1], queue_prefix=queue_prefix)
    async with (
        build_worker(env.client, settings=settings, engine=engine),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as api,
    ):
        handle = await start_order(env.client, asked, queue_prefix)
        other = await start_order(env.client, shipped, queue_prefix)

        async def both_waiting() -> bool:
            statuses = [(await query_status(h)).status for h in (handle, other)]
            return statuses == [SagaState.AWAITING_AUTHENTICATION, SagaState.AWAITING_HANDOVER]

        await until(both_waiting)
        body = event(asked.order_id)
        good = await api.post("/webhooks/stripe", content=body, headers=signed(body))

        async def read_again() -> bool:  # the hint woke the saga: it read the intent itself
            return "check_charge" in await scheduled_activities(handle)

        await until(read_again)
        replay = await api.post("/webhooks/stripe", content=body, headers=signed(body))
        tampered = await api.post(
            "/webhooks/stripe", content=body.replace(b"evt_1", b"evt_2"), headers=signed(body)
        )
        foreign = await api.post("/webhooks/stripe", content=body, headers=signed(body, "whsec_x"))
        stale = await api.post(
            "/webhooks/stripe", content=body, headers=signed(body, at=int(time.time()) - 600)
        )
        future = await api.post(  # signed with the secret, stamped ahead to outlive its tolerance
            "/webhooks/stripe", content=body, headers=signed(body, at=int(time.time()) + 600)
        )
        unsigned = await api.post("/webhooks/stripe", content=body)
        nobody = event("no-such-order", "evt_3")
        unknown = await api.post("/webhooks/stripe", content=nobody, headers=signed(nobody))
        busy = event(shipped.order_id, "evt_4")  # its saga waits for no customer
        not_waiting = await api.post("/webhooks/stripe", content=busy, headers=signed(busy))
        # A capture's event ends no wait: answered without asking Temporal, even for the
        # waiting saga.
        captured = event(asked.order_id, "evt_5", "payment_intent.succeeded")
        capture = await api.post("/webhooks/stripe", content=captured, headers=signed(captured))
        delivered, ignored = await signals(handle), await signals(other)
        still = await query_status(handle)
        for running in (handle, other):
            await running.terminate("the test is over")  # nothing left on the shared server

    assert (good.status_code, good.json()) == (200, {"received": True, "delivered": True})
    assert replay.json() == {"received": True, "delivered": True}
    assert delivered == 2  # a replayed event is only a hint again
    for refused in (tampered, foreign, stale, future, unsigned):
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "/problems/bad-signature"
    # Received (Stripe stops retrying) and logged, but no signal: nothing waits for them.
    assert (unknown.status_code, unknown.json()["delivered"]) == (200, False)
    assert (not_waiting.status_code, not_waiting.json()["delivered"], ignored) == (200, False, 0)
    assert (capture.status_code, capture.json()["delivered"]) == (200, False)
    # The hints changed nothing: the customer has not authenticated, and the saga knows it.
    assert still.status == SagaState.AWAITING_AUTHENTICATION


async def test_without_a_secret_the_endpoint_refuses_everything(env, queue_prefix) -> None:
    app = create_app(env.client, queue_prefix, authenticator=Authenticator(engine=None))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as api:
        body = event("o-1")
        answer = await api.post("/webhooks/stripe", content=body, headers=signed(body))
    assert answer.status_code == 503
