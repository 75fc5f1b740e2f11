"""Stripe's webhook endpoint: `POST /webhooks/stripe`. The one route that trusts a signature
instead of a caller's token: Stripe signs each event with the endpoint's secret, and the
stripe SDK verifies it, with Stripe's five-minute tolerance against a replayed one (and,
here, against one stamped in the future). A
`payment_intent.*` event about an order whose saga waits for its customer (3-D Secure) is
passed to it as the `payment_event` signal, a hint to read the intent again (never the truth
itself: a duplicate or a late one changes nothing). The answer is 2xx only once the signal is
accepted, so Stripe retries otherwise."""

from __future__ import annotations

import logging
import time

import stripe
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from temporalio.service import RPCError, RPCStatusCode

from order_saga.api.dependencies import AppConfig, TemporalClient
from order_saga.api.disputes import DISPUTE_EVENTS, disputed
from order_saga.api.problems import ProblemError
from workflows.order_request import workflow_id_for
from workflows.order_state import PAYMENT_EVENT_SIGNAL, PaymentEvent, SagaState
from workflows.search_attributes import ORDER_STATUS

log = logging.getLogger("order_saga.api.webhooks")
# The events that can end a wait for the customer's authentication. The others (created; the
# capture's succeeded, which comes after any wait, as intents authorize only) are answered
# without asking Temporal which state the order is in: a describe per event and order was the
# endpoint's whole cost. A saga from before manual capture, waiting when its charge succeeds,
# hears of it at its next reading of the intent (a minute at most).
WAKING = frozenset(
    {
        "payment_intent.amount_capturable_updated",
        "payment_intent.payment_failed",
        "payment_intent.requires_action",
        "payment_intent.processing",
        "payment_intent.canceled",
    }
)
router = APIRouter(include_in_schema=False)  # for Stripe, not for storefronts


def verified_event(payload: bytes, header: str | None, secret: str) -> stripe.Event:
    """The event, once its signature is Stripe's and its time within the tolerance on either
    side: the SDK refuses an old one only, and a stamp from the future would make a captured
    event replayable for as long as it claims."""
    event: stripe.Event = stripe.Webhook.construct_event(payload, header, secret)
    stamps = [
        int(value)
        for name, _, value in (part.partition("=") for part in (header or "").split(","))
        if name.strip() == "t" and value.strip().isdigit()
    ]
    tolerance = stripe.Webhook.DEFAULT_TOLERANCE
    if not stamps or max(stamps) > time.time() + tolerance:
        raise ValueError(f"Timestamp outside the tolerance zone ({max(stamps, default=0)})")
    return event


@router.post("/webhooks/stripe")
async def stripe_webhook(
    request: Request, client: TemporalClient, config: AppConfig
) -> JSONResponse:
    """Verify, then deliver to the order's saga; 400 for a bad signature."""
    secret: str | None = request.app.state.webhook_secret
    if secret is None:
        raise ProblemError(
            503, "unavailable", "Webhooks not configured", "STRIPE_WEBHOOK_SECRET is not set"
        )
    payload = await request.body()
    try:
        event = verified_event(payload, request.headers.get("Stripe-Signature"), secret)
    except (ValueError, stripe.SignatureVerificationError) as err:
        raise ProblemError(
            400, "bad-signature", "Invalid webhook", f"not a valid signed Stripe event: {err}"
        ) from err
    if event.type.startswith(DISPUTE_EVENTS):
        await disputed(client, config.queue_prefix, event, config.operator_email)
        return JSONResponse({"received": True, "delivered": True})
    if event.type not in WAKING:
        return JSONResponse({"received": True, "delivered": False})
    intent = event.data.object.to_dict()
    order_id = (intent.get("metadata") or {}).get("order_id")
    if not order_id:
        log.info("webhook %s (%s) names no order: ignored", event.id, event.type)
        return JSONResponse({"received": True, "delivered": False})
    handle = client.get_workflow_handle(workflow_id_for(str(order_id)))
    hint = PaymentEvent(event_id=event.id, type=event.type, payment_intent_id=intent.get("id"))
    try:
        # Only a saga waiting for its customer listens: a signal to any other would cost it
        # a workflow task for nothing (every order's confirm and capture send events).
        waiting = (await handle.describe()).typed_search_attributes.get(ORDER_STATUS)
        if waiting == SagaState.AWAITING_AUTHENTICATION:
            await handle.signal(PAYMENT_EVENT_SIGNAL, hint)
            return JSONResponse({"received": True, "delivered": True})
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise ProblemError(
                503, "unavailable", "Temporal unavailable", "the event could not be delivered"
            ) from err
    # An order that does not wait for it (or never ran here): its saga reads Stripe itself.
    log.info("webhook %s (%s) for order %s: no saga waits", event.id, event.type, order_id)
    return JSONResponse({"received": True, "delivered": False})
