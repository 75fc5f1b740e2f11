"""Record real saga runs for the replay test:
`python -m tests.workflows.record_histories [--suffix .PATCH]`.

Sagas run colocated, the default placement (`--placement per-service` for the other). Run
it after a deliberate change to the workflow, gated by `workflow.patched` or (as the
authorize-then-capture change) by what an activity's result in the history says, with the
change's name as the suffix: the histories of the older code stay and must keep replaying.
Never run it to make a failing replay pass. Every outcome is recorded: most against the
real activities and the local Stripe server; a refund that fails then goes through on a
person's retry, and a shipment that never gets booked before the deadline, with stubs.
`--events`: a subscriber to order events is registered and every order has the customer's
address, so the histories carry the event delivery's start and signals and the mails. The
time-skipping server does not skip a saga's timers while its abandoned event delivery is
open: the expired and lapsed paths then take their time in full (about 12 minutes for
`--every-outcome`), and the 3-D Secure timed-out order asks for the shortest timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import requests
from sqlalchemy import Engine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.inventory.catalogue import seed_catalogue
from activities.notification import subscribers
from activities.notification.events import EVENT_TYPES
from activities.notification.signing import new_secret
from order_saga.binaries import find_binary
from order_saga.client import (
    OrderHandle,
    mark_resolved,
    order_result,
    query_status,
    retry_undos,
    start_order,
)
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.local_stripe.app import start
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.visibility import register_search_attributes
from order_saga.worker_group import build_worker
from testkit.subscriber import Subscriber, serve_subscriber
from tests.helpers import (
    captured_before_pickup,
    captured_then_waiting,
    order,
    until,
    waiting_for_person,
)
from tests.workflows.stub_activities import Stubs, stub_worker
from tests.workflows.test_resolution import Issuer
from workflows.order_request import OrderRequest
from workflows.order_state import PAYMENT_EVENT_SIGNAL, PaymentEvent, SagaState
from workflows.placement import PLACEMENTS, Placement

HISTORIES = Path(__file__).parent / "histories"
CUSTOMER_EMAIL = "customer@example.com"
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


def refused_refund() -> OrderRequest:
    """Only a captured payment is refunded: captured before pickup, then cancelled."""
    return captured_then_waiting(
        order(("prod-789", 1, "49.50"), payment_method="pm_card_refundFail")
    )


REAL: dict[str, tuple[OrderRequest, Then]] = {
    "completed": (order(("prod-456", 2, "19.99")), nothing),
    "declined": (order(("prod-456", 1, "19.99"), payment_method="pm_card_chargeDeclined"), nothing),
    "shipment_rejected": (order(("prod-789", 1, "49.50"), country="AQ"), nothing),
}
EVERY_OUTCOME: dict[str, tuple[OrderRequest, Then]] = {
    **REAL,
    **{
        name: (
            order(("prod-456", 1, "19.99"), payment_method=f"pm_card_chargeDeclined{pm}"),
            nothing,
        )
        for name, pm in (
            ("insufficient_funds", "InsufficientFunds"),
            ("expired_card", "ExpiredCard"),
            ("fraudulent", "Fraudulent"),
        )
    },
    "cancelled": (
        order(("prod-123", 1, "129.00")).model_copy(update={"handover_delay_seconds": 3600}),
        cancel_at_pickup,
    ),
    "refund_refused_marked_resolved": (refused_refund(), mark_it_resolved),
    "captured_then_cancelled": (
        captured_then_waiting(order(("prod-456", 1, "19.99"))),
        cancel_after_capture,
    ),
}


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


THREE_D_SECURE_CARD = "pm_card_threeDSecure2Required"


def told(request: OrderRequest, events: bool) -> OrderRequest:
    """With events on, the order has the customer's address: its history carries the mails."""
    return request.model_copy(update={"customer_email": CUSTOMER_EMAIL}) if events else request


async def record_lapsed_authorization(
    env: WorkflowEnvironment, engine: Engine, suffix: str, placement: Placement, events: bool
) -> None:
    """The bank let the authorization lapse before pickup: the capture fails, all is undone."""
    lapsing = LocalStripe(ledger=Ledger(authorization_seconds=0))
    runner, base_url = await start(lapsing, "127.0.0.1", 0)
    settings = Settings(
        stripe_api_base=base_url,
        queue_prefix="record-lapse",
        placement=placement,
        webhook_allow_private_targets=True,
    )
    try:
        async with build_worker(env.client, settings=settings, engine=engine):
            request = order(("prod-456", 1, "19.99")).model_copy(
                update={"handover_delay_seconds": 60}
            )
            handle = await start_order(env.client, told(request, events), "record-lapse")
            await save(env.client, handle, "capture_failed", suffix)
    finally:
        await runner.cleanup()


async def record_stubbed(
    env: WorkflowEnvironment, suffix: str, placement: Placement, events: bool
) -> None:
    """The two outcomes the real services cannot be made to give on demand."""
    issuer, stubs = Issuer(), Stubs(reject_shipment=True)
    retried = told(order(("prod-456", 1, "19.99"), country="AQ"), events)
    stubs.subscribers = [1] if events else []
    async with stub_worker(env, "stub-a", stubs, activities=stubs.with_overrides(
        refund_payment=issuer.refund()
    ), placement=placement,
                        webhook_allow_private_targets=True):  # fmt: skip
        handle = await start_order(env.client, retried, "stub-a")
        await waiting_for_person(handle)
        issuer.fixed = True
        await retry_undos(env.client, retried.order_id)
        await save(env.client, handle, "refund_refused_retried", suffix)
    expires = order(("prod-456", 1, "19.99")).model_copy(
        update={"deadline_seconds": 600, "step_deadline_seconds": 86400}
    )
    failing = Stubs(fail_first={"create_shipment": 10_000})
    failing.subscribers = stubs.subscribers
    expires = told(expires, events)
    async with stub_worker(
        env, "stub-b", failing, placement=placement, webhook_allow_private_targets=True
    ):
        await save(env.client, await start_order(env.client, expires, "stub-b"), "expired", suffix)


async def record_detached_void(env: WorkflowEnvironment, suffix: str, placement: Placement) -> None:
    """A cancel while the create retries against a gateway outage: the void runs detached."""
    stubs = Stubs(fail_first={"create_payment_intent": 10_000})
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(
        env, "stub-c", stubs, placement=placement, webhook_allow_private_targets=True
    ):
        handle = await start_order(env.client, request, "stub-c")

        async def charging() -> bool:
            return stubs.calls["create_payment_intent"] > 1

        await until(charging)
        await handle.cancel(reason="the customer changed their mind")
        await save(env.client, handle, "cancelled_before_charge", suffix)


async def save(client: Client, handle: OrderHandle, name: str, suffix: str) -> None:
    """Keep the saga's history once it ended and the children it abandoned (a mail, the
    event delivery) closed: one left open stops the time-skipping server skipping time."""
    await order_result(handle)
    history = await handle.fetch_history()
    (HISTORIES / f"{name}{suffix}.json").write_text(history.to_json())
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            child = event.start_child_workflow_execution_initiated_event_attributes.workflow_id
            with contextlib.suppress(WorkflowFailureError):  # a mail that was not sent
                await client.get_workflow_handle(child).result()  # skips through its retries


async def record(
    suffix: str,
    every_outcome: bool,
    detached_void: bool = False,
    only: str | None = None,
    three_d_secure: bool = False,
    placement: Placement = "colocated",
    events: bool = False,
) -> None:
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/orders.db")
    upgrade(engine)
    seed_catalogue(engine)
    async with serve_subscriber(subscriber := Subscriber(secret=new_secret())) as url:
        if events:
            with transaction(engine) as session:
                subscribers.add(
                    session=session, url=url, events=list(EVENT_TYPES), secret=subscriber.secret
                )
        await record_with(
            engine, suffix, every_outcome, detached_void, only, three_d_secure, placement, events
        )


async def record_with(
    engine: Engine,
    suffix: str,
    every_outcome: bool,
    detached_void: bool,
    only: str | None,
    three_d_secure: bool,
    placement: Placement,
    events: bool,
) -> None:
    runner, base_url = await start(LocalStripe(), "127.0.0.1", 0)
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(env.client)
    settings = Settings(
        stripe_api_base=base_url,
        queue_prefix="record",
        placement=placement,
        webhook_allow_private_targets=True,
    )
    try:
        if detached_void:
            await record_detached_void(env, suffix, placement)
            return
        async with build_worker(env.client, settings=settings, engine=engine):
            outcomes = EVERY_OUTCOME if every_outcome or only else REAL
            if three_d_secure:
                outcomes = {}
            for name, (request, then) in outcomes.items():
                if only and name != only:
                    continue
                # as users start it
                handle = await start_order(env.client, told(request, events), "record")
                await then(env.client, handle)
                await save(env.client, handle, name, suffix)
            if three_d_secure:
                for name, then in (
                    ("authenticated", authenticate("complete")),
                    ("authentication_failed", authenticate("fail")),
                    ("authentication_timed_out", nothing),
                ):
                    asked = told(
                        order(("prod-456", 1, "19.99"), payment_method=THREE_D_SECURE_CARD), events
                    )
                    if events:  # waited out in real time (see above): the shortest allowed
                        asked = asked.model_copy(update={"authentication_timeout_seconds": 60})
                    handle = await start_order(env.client, asked, "record")
                    await then(env.client, handle)
                    await save(env.client, handle, name, suffix)
                return
        if every_outcome and not only:
            await record_stubbed(env, suffix, placement, events)
            await record_lapsed_authorization(env, engine, suffix, placement, events)
    finally:
        await env.shutdown()
        await runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--suffix", default="", help="e.g. .fewer-search-attribute-upserts")
    parser.add_argument("--every-outcome", action="store_true", help="not just three")
    parser.add_argument("--detached-void", action="store_true", help="only that path")
    parser.add_argument("--only", help="only this outcome, e.g. refund_refused_marked_resolved")
    parser.add_argument("--three-d-secure", action="store_true", help="only those paths")
    parser.add_argument("--placement", choices=PLACEMENTS, default="colocated")
    parser.add_argument("--events", action="store_true", help="a subscriber, the customer's mail")
    arguments = parser.parse_args()
    asyncio.run(
        record(
            arguments.suffix,
            arguments.every_outcome,
            arguments.detached_void,
            arguments.only,
            arguments.three_d_secure,
            arguments.placement,
            arguments.events,
        )
    )
