"""Stripe's webhook endpoint over HTTP, with real signatures (Stripe's scheme: `t=...,v1=`
HMAC-SHA256 of `t.payload` with the endpoint's secret): a good event reaches the saga as a
signal; a tampered, foreign, stale or unsigned one is refused; a replay changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
from temporalio.api.enums.v1 import EventType

from order_saga.api.app import create_app
from tests.helpers import order, orders_queue
from tests.workflows.stub_activities import Stubs, stub_worker
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga

SECRET = "whsec_test_secret"


def signed(payload: bytes, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """The Stripe-Signature header Stripe would send with `payload`."""
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return {"Stripe-Signature": f"t={stamp},v1={mac.hexdigest()}"}


def event(order_id: str, event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.amount_capturable_updated",
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


async def test_a_signed_event_reaches_the_saga_and_every_bad_one_is_refused(
    env, queue_prefix
) -> None:
    request = order(("prod-456", 1, "19.99")).model_copy(update={"handover_delay_seconds": 3600})
    app = create_app(env.client, queue_prefix, webhook_secret=SECRET)
    async with (
        stub_worker(env, queue_prefix, Stubs()),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as api,
    ):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        body = event(request.order_id)
        good = await api.post("/webhooks/stripe", content=body, headers=signed(body))
        replay = await api.post("/webhooks/stripe", content=body, headers=signed(body))
        tampered = await api.post(
            "/webhooks/stripe", content=body.replace(b"evt_1", b"evt_2"), headers=signed(body)
        )
        foreign = await api.post("/webhooks/stripe", content=body, headers=signed(body, "whsec_x"))
        stale = await api.post(
            "/webhooks/stripe", content=body, headers=signed(body, at=int(time.time()) - 600)
        )
        unsigned = await api.post("/webhooks/stripe", content=body)
        nobody = event("no-such-order", "evt_3")
        unknown = await api.post("/webhooks/stripe", content=nobody, headers=signed(nobody))
        delivered = await signals(handle)
        still = await handle.query(OrderSaga.status)
        await handle.terminate("the test is over")  # nothing left running on the shared server

    assert (good.status_code, good.json()) == (200, {"received": True, "delivered": True})
    assert replay.status_code == 200 and delivered == 2  # a replayed event is only a hint again
    for refused in (tampered, foreign, stale, unsigned):
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"] == "/problems/bad-signature"
    # An event about an order no saga runs for is received (Stripe stops retrying), logged.
    assert (unknown.status_code, unknown.json()["delivered"]) == (200, False)
    assert still.status in (SagaState.RUNNING, SagaState.AWAITING_HANDOVER)  # hints, no more


async def test_without_a_secret_the_endpoint_refuses_everything(env, queue_prefix) -> None:
    app = create_app(env.client, queue_prefix)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api"
    ) as api:
        body = event("o-1")
        answer = await api.post("/webhooks/stripe", content=body, headers=signed(body))
    assert answer.status_code == 503
