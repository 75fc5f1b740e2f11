"""The orders recorded, and what happens to each once started (a cancel, a person, a bank)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import requests
from temporalio.client import Client

from activities.inventory.contracts import LineQuantity
from activities.shipment.contracts import Address
from order_saga.client import (
    OrderHandle,
    amend_order,
    mark_resolved,
    query_status,
    review_order,
)
from tests.helpers import order, until
from tests.waits import captured_before_pickup, captured_then_waiting, waiting_for_person
from workflows.order_request import OrderRequest
from workflows.order_state import PAYMENT_EVENT_SIGNAL, PaymentEvent, SagaState
from workflows.review_state import Decision

CUSTOMER_EMAIL = "customer@example.com"
HELD_CUSTOMER = "cust-held"  # the recording's database holds their every order for review
THREE_D_SECURE_CARD = "pm_card_threeDSecure2Required"
Then = Callable[[Client, OrderHandle], Awaitable[None]]


async def nothing(client: Client, handle: OrderHandle) -> None:
    """Let the saga run to its end."""


async def cancel_at_pickup(client: Client, handle: OrderHandle) -> None:
    """Cancel while the shipment waits for pickup."""

    async def awaiting() -> bool:
        return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

    await until(awaiting)
    await handle.cancel(reason="the customer changed their mind")


async def cancel_after_capture(client: Client, handle: OrderHandle) -> None:
    """Cancel once the payment was captured (its capture window ended before pickup)."""
    await captured_before_pickup(handle)
    await handle.cancel(reason="the customer changed their mind")


async def mark_it_resolved(client: Client, handle: OrderHandle) -> None:
    """A refund the bank refuses (after a capture and a cancel), settled by hand."""
    await cancel_after_capture(client, handle)
    status = await waiting_for_person(handle)
    await mark_resolved(client, status.order_id, "refunded by bank transfer")


def authenticate(answer: str) -> Then:
    """The customer answers the bank's 3-D Secure page: complete or fail; a webhook follows
    a completion (a failure is found by the saga's own re-read)."""

    async def then(client: Client, handle: OrderHandle) -> None:
        async def asked() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_AUTHENTICATION

        await until(asked)
        url = (await query_status(handle)).authentication_url
        await asyncio.to_thread(requests.post, f"{url}/{answer}", timeout=10)
        if answer == "complete":
            event = PaymentEvent(event_id="evt_record", type="payment_intent.succeeded")
            await handle.signal(PAYMENT_EVENT_SIGNAL, event)

    return then


def review(decision: Decision) -> Then:
    """An operator decides on the order the risk rules held."""

    async def then(client: Client, handle: OrderHandle) -> None:
        async def held() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_REVIEW

        await until(held)
        order_id = (await query_status(handle)).order_id
        await review_order(client, order_id, decision, "recorded", by="cli:record")

    return then


def amend_at_pickup(lines: bool) -> Then:
    """While the parcel waits for pickup, the customer moves it to another address, or keeps
    one unit of its line (captured for less)."""

    async def then(client: Client, handle: OrderHandle) -> None:
        async def awaiting() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

        await until(awaiting)
        order_id = (await query_status(handle)).order_id
        if lines:
            one = [LineQuantity(sku="prod-456", quantity=1)]
            await amend_order(client, order_id, None, lines=one, by="cli:record")
            return
        boston = Address(street="2 Elm St", city="Boston", zip_code="02108", country="US")
        await amend_order(client, order_id, boston, by="cli:record")

    return then


def held() -> OrderRequest:
    return order(("prod-456", 1, "19.99")).model_copy(update={"customer_id": HELD_CUSTOMER})


def told(request: OrderRequest) -> OrderRequest:
    """The order has the customer's address: its history carries the mails."""
    return request.model_copy(update={"customer_email": CUSTOMER_EMAIL})


def declined(payment_method: str) -> OrderRequest:
    return order(("prod-456", 1, "19.99"), payment_method=payment_method)


def three_d_secure() -> OrderRequest:
    """Asked for 3-D Secure; waited out in real time (see the package): the shortest wait."""
    asked = order(("prod-456", 1, "19.99"), payment_method=THREE_D_SECURE_CARD)
    return asked.model_copy(update={"authentication_timeout_seconds": 60})


# Against the real activities and the local Stripe server, on one worker.
OUTCOMES: dict[str, tuple[OrderRequest, Then]] = {
    "completed": (order(("prod-456", 2, "19.99")), nothing),
    "declined": (declined("pm_card_chargeDeclined"), nothing),
    "insufficient_funds": (declined("pm_card_chargeDeclinedInsufficientFunds"), nothing),
    "expired_card": (declined("pm_card_chargeDeclinedExpiredCard"), nothing),
    "fraudulent": (declined("pm_card_chargeDeclinedFraudulent"), nothing),
    "shipment_rejected": (order(("prod-789", 1, "49.50"), country="AQ"), nothing),
    "cancelled": (
        order(("prod-123", 1, "129.00")).model_copy(update={"handover_delay_seconds": 3600}),
        cancel_at_pickup,
    ),
    "captured_then_cancelled": (
        captured_then_waiting(order(("prod-456", 1, "19.99"))),
        cancel_after_capture,
    ),
    "refund_refused_marked_resolved": (
        captured_then_waiting(order(("prod-789", 1, "49.50"), payment_method="pm_card_refundFail")),
        mark_it_resolved,
    ),
    "authenticated": (three_d_secure(), authenticate("complete")),
    "authentication_failed": (three_d_secure(), authenticate("fail")),
    "authentication_timed_out": (three_d_secure(), nothing),
    "review_approved": (held(), review("approve")),
    "review_declined": (held(), review("decline")),
    "amended": (
        order(("prod-456", 1, "19.99")).model_copy(update={"handover_delay_seconds": 3600}),
        amend_at_pickup(lines=False),
    ),
    "amended_lines": (
        order(("prod-456", 2, "19.99")).model_copy(update={"handover_delay_seconds": 3600}),
        amend_at_pickup(lines=True),
    ),
}
# Six hundred kettles are more than the home warehouse holds: they ship from the east.
OUTCOMES["parcels"] = (order(("prod-456", 1, "19.99"), ("prod-789", 600, "49.50")), nothing)
# The carrier takes nothing from the east to Canada: the kettles' parcel does not ship.
OUTCOMES["partially_shipped"] = (
    order(("prod-456", 1, "19.99"), ("prod-789", 600, "49.50"), country="CA"),
    nothing,
)
EAST_STOCK = {"prod-789": 1200}  # two orders of 600
UNSERVED_FROM = {"east": frozenset({"CA"})}
# Recorded with stubs or a lapsing bank (`special.py`).
SPECIAL = (
    "refund_refused_retried",
    "expired",
    "cancelled_before_charge",
    "capture_failed",
    "checked_out",  # started with its checkout update: the update's events replay too
)
EVERY_OUTCOME = (*OUTCOMES, *SPECIAL)
