"""A chaos run's disputes: the bank disputes the charge of an order marked for one as soon as
it is captured; its signed events reach the order API's webhook (served in the run's own
process) while workers die and the server restarts, and once the order has shipped the
shop's evidence closes it won or lost. The books must then agree with Stripe's."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle

from order_saga.access.authenticator import Authenticator
from order_saga.api.app import create_app
from order_saga.client.after_sale import disputes
from order_saga.embedded.local_stripe.ledger import Ledger
from testkit.chaos_kit import final_state, retrying
from testkit.chaos_paths import SagaPath
from testkit.serving import serving
from testkit.subscriber import Subscriber
from workflows.order_dispute import DisputeView
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState

EVIDENCE = {"won": "winning_evidence", "lost": "losing_evidence"}  # Stripe's test evidence
TIMEOUT = 600  # seconds a dispute may take through the chaos


@contextlib.asynccontextmanager
async def webhook_api(client: Client, queue_prefix: str, secret: str) -> AsyncIterator[str]:
    """The order API on a free local port, taking Stripe's signed events; yields its URL."""
    app = create_app(
        client,
        queue_prefix,
        webhook_secret=secret,
        authenticator=Authenticator(engine=None, disabled=True),  # webhooks trust signatures
    )
    async with serving(app, log_level="error") as url:
        yield url


async def close_dispute(
    client: Client,
    ledger: Ledger,
    stripe: Any,
    path: SagaPath,
    order: OrderRequest,
    handle: WorkflowHandle[Any, Any],
    tally: Counter[str],
) -> None:
    """Once the disputed order has shipped: the evidence, then the dispute's workflow ended."""
    if path.disputed is None or await final_state(handle) != SagaState.COMPLETED:
        return
    [intent] = ledger.intents_of_order(order.order_id)
    [dispute] = ledger.disputes_of(str(intent["id"]))
    evidence = {"evidence": {"uncategorized_text": EVIDENCE[path.disputed]}}
    await asyncio.to_thread(stripe.v1.disputes.update, dispute["id"], params=evidence)
    watched = client.get_workflow_handle(f"dispute-{dispute['id']}", result_type=DisputeView)
    ended: DisputeView = await retrying(watched.result, seconds=TIMEOUT)
    tally[f"disputes {ended.dispute.status if ended.dispute else 'unknown'}"] += 1


def disputes_disagreeing(engine: Engine, ledger: Ledger, order_ids: list[str]) -> list[str]:
    """Orders whose recorded disputes are not Stripe's, one row each with its status."""
    wrong = []
    for order_id in order_ids:
        theirs = {
            str(d["id"]): d["status"]
            for intent in ledger.intents_of_order(order_id)
            for d in ledger.disputes_of(str(intent["id"]))
        }
        ours = {d.dispute_id: d.status for d in disputes(engine, order_id=order_id)}
        if ours != theirs:
            wrong.append(order_id)
    return wrong


async def until_disputes_told(hook: Subscriber, order_ids: list[str], seconds: float) -> list[str]:
    """Poll until each disputed order's subscriber heard its dispute close (or the deadline);
    the orders it did not."""
    give_up = asyncio.get_running_loop().time() + seconds
    while True:
        untold = [
            order_id
            for order_id in order_ids
            if "order.dispute_closed"
            not in [e["type"] for e in hook.events_of(order_id, "dispute-")]
        ]
        if not untold or asyncio.get_running_loop().time() > give_up:
            return untold
        await asyncio.sleep(0.5)  # polling what the subscriber got, with a deadline
