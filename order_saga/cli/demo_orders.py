"""The demo's orders: one down each path of the saga, and a table of what happened."""

from __future__ import annotations

import asyncio
import urllib.request
import uuid

from rich.console import Console
from rich.table import Table
from temporalio.client import Client, WorkflowFailureError
from temporalio.service import RPCError

from activities.notification.contracts import mail_workflow_id
from order_saga.cli import CliError
from order_saga.cli.demo_samples import ANSWERS, DEMO_EMAIL, sample_orders
from order_saga.client import OrderHandle, order_result, query_status, start_order
from order_saga.embedded.stack import Endpoints
from order_saga.settings import Settings
from workflows.money import amount_of, told
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult, SagaState


async def cancel_while_awaiting_pickup(handle: OrderHandle) -> OrderResult:
    """The cancel path: the order is cancelled while its shipment waits for pickup."""
    give_up = asyncio.get_running_loop().time() + 60
    while (await query_status(handle)).status != SagaState.AWAITING_HANDOVER:
        if asyncio.get_running_loop().time() > give_up:
            raise CliError(f"{handle.id} never reached the carrier handover")
        await asyncio.sleep(0.2)  # polling the saga's own state, with a deadline
    await handle.cancel(reason="demo: the customer cancelled")
    return await order_result(handle)


async def answer_the_bank(handle: OrderHandle, answer: str) -> OrderResult:
    """The customer, asked for 3-D Secure: answer the bank's page (the local Stripe server's),
    then the order's outcome (its saga hears of it by webhook, or reads it within a minute)."""
    give_up = asyncio.get_running_loop().time() + 60
    while not (status := await query_status(handle)).authentication_url:
        if asyncio.get_running_loop().time() > give_up:
            raise CliError(f"{handle.id} never asked for authentication")
        await asyncio.sleep(0.2)  # polling the saga's own state, with a deadline
    if answer == "abandon":
        await handle.cancel(reason="demo: the customer left the bank's page")
        return await order_result(handle)
    page = urllib.request.Request(f"{status.authentication_url}/{answer}", method="POST")
    await asyncio.to_thread(lambda: urllib.request.urlopen(page, timeout=30).close())
    return await order_result(handle)


async def run_demo(client: Client, settings: Settings, endpoints: Endpoints) -> None:
    """Start every sample, wait for all outcomes, print them with Web UI links."""
    run_id = uuid.uuid4().hex[:6]
    orders = sample_orders(run_id)
    handles = [
        await start_order(
            client,
            order,
            settings.queue_prefix,
            default_deadline_seconds=settings.order_deadline_seconds,
            eager=settings.placement == "colocated",  # the stack's worker is in this process
        )
        for _, order in orders
    ]
    waits = [
        answer_the_bank(h, ANSWERS[label]) if label in ANSWERS else order_result(h)
        for (label, _), h in zip(orders[:-1], handles[:-1], strict=True)
    ]
    results: list[OrderResult] = await asyncio.gather(
        *waits, cancel_while_awaiting_pickup(handles[-1])
    )

    table = Table(title=f"order-saga demo {run_id}: one order down each path")
    table.add_column("path", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("failed step: error / reason")
    table.add_column("undone, newest first")
    table.add_column("money / tracking")
    for (label, _), result in zip(orders, results, strict=True):
        failure = f"{result.failed_step}: {result.error_type}" if result.failed_step else "-"
        if result.status == SagaState.CANCELLED:
            failure = f"cancelled: {result.error_message}"
        amount = amount_of(result.total, result.currency)
        money = f"{amount} {result.payment}" if result.payment else "nothing taken"
        if result.tracking_number:
            money += f" / {result.tracking_number}"
        undone = told(result.undone, result.total, result.currency) if result.undone else "-"
        table.add_row(label, result.status, failure, undone, money)
    console = Console(width=max(Console().width, 130))
    console.print(table)
    for label, order in orders:
        console.print(
            f"  {label:<18} {endpoints.web_ui}/namespaces/default/workflows/{order.workflow_id}"
        )
    console.print(f"All sagas in the Web UI: {endpoints.web_ui}/namespaces/default/workflows")
    sent = await mails_sent(client, [order for _, order in orders], results)
    where = endpoints.mail or "sent through SMTP_URL"
    console.print(f"{sent} mails sent to the customer ({DEMO_EMAIL}): {where}")


async def mails_sent(
    client: Client, orders: list[OrderRequest], results: list[OrderResult], seconds: float = 30
) -> int:
    """How many of the orders' mails went out: each order's outcome, and the bank's request
    where one was made (each is its own workflow, sent as the order ended)."""

    async def sent(workflow_id: str) -> bool:
        try:
            await asyncio.wait_for(client.get_workflow_handle(workflow_id).result(), seconds)
        except RPCError:
            return False  # no such mail: no authentication was asked for
        except (WorkflowFailureError, TimeoutError):
            return False
        return True

    ids = [
        mail_workflow_id(order.workflow_id, kind)
        for order, result in zip(orders, results, strict=True)
        for kind in (
            "authentication",
            "confirmed" if result.status == SagaState.COMPLETED else "undone",
        )
    ]
    return sum(await asyncio.gather(*(sent(i) for i in ids)))
