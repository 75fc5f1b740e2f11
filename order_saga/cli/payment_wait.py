"""`order-saga start --wait payment`: start the order and wait only for its payment's answer
(the checkout update, order_saga/client/checkout.py), as a checkout page would; the saga goes
on to ship. Exit 0 authorized (or captured), 10 when the bank asks the customer first (the
page's URL printed), the order's own code when it ended without the money."""

from __future__ import annotations

from collections.abc import Awaitable

import typer
from temporalio.client import Client

from order_saga.cli.output import exit_code, status_text
from order_saga.client.checkout import MAX_WAIT_SECONDS, checkout, payment_outcome
from order_saga.client.status import ClosedOrder
from order_saga.settings import Settings
from workflows.money import amount_of
from workflows.order_request import OrderRequest
from workflows.order_state import SagaStatus

REQUIRES_ACTION = 10  # the exit code of a payment that waits for the customer's 3-D Secure


async def payment_answer(
    connecting: Awaitable[Client], order: OrderRequest, settings: Settings
) -> SagaStatus | ClosedOrder:
    """The order's status at its payment's answer, however long the answer takes: each ask
    waits MAX_WAIT_SECONDS, and asks again the same (the same saga, the same answer)."""
    client = await connecting
    while True:
        asked = await checkout(
            client,
            order,
            settings.queue_prefix,
            wait=MAX_WAIT_SECONDS,
            default_deadline_seconds=settings.order_deadline_seconds,
        )
        if asked.status is not None:
            return asked.status
        typer.echo(f"order {order.order_id}: the payment has no answer yet; waiting", err=True)


def told(status: SagaStatus | ClosedOrder) -> tuple[str, int]:
    """The answer's line(s) and exit code."""
    outcome = payment_outcome(status) if isinstance(status, SagaStatus) else None
    if not isinstance(status, SagaStatus) or outcome is None:
        return status_text(status), exit_code(status.status)
    if outcome == "requires_action":
        return (
            f"order {status.order_id}: the bank asks the customer to authenticate at "
            f"{status.authentication_url}",
            REQUIRES_ACTION,
        )
    money = amount_of(status.total, status.currency)
    return f"order {status.order_id}: payment {outcome} ({money})", 0
