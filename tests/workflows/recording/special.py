"""The outcomes the real services cannot give on demand: stubs script them, or a bank that
lets every authorization lapse at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.notification.contracts import MAIL_KINDS, mail_workflow_id
from order_saga.client import OrderHandle, order_result, retry_undos, start_order
from order_saga.client.checkout import checkout
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.serving import start
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order, until
from tests.waits import waiting_for_person
from tests.workflows.recording.outcomes import told
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from tests.workflows.test_resolution import Issuer
from workflows.order_request import MIN_DEADLINE_SECONDS
from workflows.placement import Placement

HISTORIES = Path(__file__).parent.parent / "histories"


async def save(client: Client, handle: OrderHandle, name: str, placement: Placement) -> None:
    """Keep the saga's history once it ended and what it handed over (a mail, the event
    delivery) or abandoned (a void) closed: one left open stops the time-skipping server
    skipping time. The test server sometimes drops a long wait for the result (`h2 protocol
    error`): it is asked again."""
    for attempt in range(1, 6):
        try:
            await order_result(handle)
            break
        except RPCError as err:
            if attempt == 5:
                raise
            print(f"{name}: the wait for its result was dropped ({err}); asking again")
    history = await handle.fetch_history()
    (HISTORIES / f"{name}.{placement}.json").write_text(history.to_json())
    started = [f"{handle.id}-events", *(mail_workflow_id(handle.id, k) for k in MAIL_KINDS)]
    for event in history.events:  # its children (a detached void), and what it handed over
        if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            started.append(
                event.start_child_workflow_execution_initiated_event_attributes.workflow_id
            )
    for workflow_id in started:
        try:  # skips through its retries
            await client.get_workflow_handle(workflow_id).result()
        except WorkflowFailureError:
            pass  # a mail that was not sent
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:  # not handed over by this order
                raise


async def record_special(env: WorkflowEnvironment, engine: Engine, placement: Placement) -> None:
    """A refused refund a person's retry settles; an order whose shipment is never booked
    before its deadline; a cancel while the intent's create retries against an outage; an
    authorization the bank let lapse before pickup."""
    issuer, stubs = Issuer(), Stubs(reject_shipment=True)
    stubs.subscribers = [1]
    retried = told(order(("prod-456", 1, "19.99"), country="AQ"))
    overrides = stubs.with_overrides(refund_payment=issuer.refund())
    async with stub_worker(env, "stub-a", stubs, activities=overrides, placement=placement):
        handle = await start_order(env.client, retried, "stub-a")
        await waiting_for_person(handle)
        issuer.fixed = True
        await retry_undos(env.client, retried.order_id)
        await save(env.client, handle, "refund_refused_retried", placement)
    expires = told(order(("prod-456", 1, "19.99"))).model_copy(
        update={"deadline_seconds": MIN_DEADLINE_SECONDS, "step_deadline_seconds": 86400}
    )
    failing = Stubs(fail_first={"create_shipment": 10_000})
    failing.subscribers = [1]
    async with stub_worker(env, "stub-b", failing, placement=placement):
        handle = await start_order(env.client, expires, "stub-b")
        await save(env.client, handle, "expired", placement)
    await record_detached_void(env, placement)
    await record_lapsed_authorization(env, engine, placement)


async def record_detached_void(env: WorkflowEnvironment, placement: Placement) -> None:
    """A cancel while the create retries against a gateway outage: the void runs detached."""
    stubs = Stubs(fail_first={"create_payment_intent": 10_000})
    stubs.subscribers = [1]
    async with stub_worker(env, "stub-c", stubs, placement=placement):
        handle = await start_order(env.client, told(order(("prod-456", 1, "19.99"))), "stub-c")

        async def charging() -> bool:
            return stubs.calls["create_payment_intent"] > 1

        await until(charging)
        await handle.cancel(reason="the customer changed their mind")
        await save(env.client, handle, "cancelled_before_charge", placement)


async def record_lapsed_authorization(
    env: WorkflowEnvironment, engine: Engine, placement: Placement
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
            request = told(order(("prod-456", 1, "19.99")))
            request = request.model_copy(update={"handover_delay_seconds": 60})
            handle = await start_order(env.client, request, "record-lapse")
            await save(env.client, handle, "capture_failed", placement)
    finally:
        await runner.cleanup()


async def record_checkout(client: Client, placement: Placement) -> None:
    """An order started with its checkout update (Update-with-Start), answered at the
    authorization, then shipped: the update's two events in the history."""
    request = told(order(("prod-456", 1, "19.99"))).model_copy(update={"handover_delay_seconds": 0})
    answered = await checkout(client, request, "record", wait=10)
    await save(client, answered.handle, "checked_out", placement)
