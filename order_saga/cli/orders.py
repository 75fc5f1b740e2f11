"""`order-saga start` and `order-saga status`: trigger a saga and ask where it is."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.service import RPCError

from activities.queues import queue
from order_saga.cli import ENVCONFIG, CliError, Temporal, temporal_options
from order_saga.cli.database import migrated_engine
from order_saga.cli.order_input import order_problems, read_order
from order_saga.cli.output import Output, OutputOption, emit, exit_code, result_text, status_text
from order_saga.cli.payment_wait import payment_answer, told
from order_saga.client import OrderHandle, after_sale, order_outcome, order_status, start_order
from order_saga.order_events import step_events, worker_polls
from order_saga.settings import Settings
from workflows.order_request import DEFAULT_DEADLINE_SECONDS, OrderRequest
from workflows.order_state import SHIPPED_STATES, OrderResult

UNSERVED_GRACE = 3.0  # seconds


class Until(StrEnum):
    PAYMENT = "payment"


async def show_steps(handle: OrderHandle) -> None:
    """Each step on stderr as it happens, until the saga closes."""
    with contextlib.suppress(RPCError):
        async for event in step_events(handle):
            typer.echo(f"  {event.line()}", err=True)


async def warn_when_unserved(client: Client, queue_prefix: str) -> None:
    """Say so when no worker serves the saga's queue, rather than wait in silence."""
    await asyncio.sleep(UNSERVED_GRACE)  # a worker that has just started has not polled yet
    with contextlib.suppress(RPCError):
        if not await worker_polls(client, queue_prefix):
            typer.echo(
                f"order-saga: no worker polls task queue {queue(queue_prefix, 'orders')}; the "
                "order waits until one does (order-saga-worker, or order-saga dev)",
                err=True,
            )


@temporal_options
def start(
    order_file: Annotated[
        Path | None, typer.Option(help="Order request as JSON (instead of the order flags)")
    ] = None,
    order_id: Annotated[str | None, typer.Option(help="Defaults to a generated id")] = None,
    customer_id: Annotated[str | None, typer.Option()] = None,
    customer_email: Annotated[
        str | None, typer.Option(help="Where the customer's mails about the order go")
    ] = None,
    item: Annotated[
        list[str] | None, typer.Option(metavar="SKU:QTY:PRICE", help="An order line, repeatable")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Default usd")] = None,
    payment_method: Annotated[str | None, typer.Option(help="Default pm_card_visa")] = None,
    street: Annotated[str | None, typer.Option()] = None,
    city: Annotated[str | None, typer.Option()] = None,
    state: Annotated[str | None, typer.Option()] = None,
    zip_code: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option(help="Default US")] = None,
    deadline: Annotated[
        int | None,
        typer.Option(
            help="Seconds until the order expires unless shipped (default ORDER_DEADLINE_SECONDS, "
            f"{DEFAULT_DEADLINE_SECONDS})"
        ),
    ] = None,
    handover_delay: Annotated[
        int | None,
        typer.Option(
            help="Seconds the shipment waits for pickup (cancellable); overrides the file's"
        ),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the outcome; the exit code tells it")
    ] = False,
    until: Annotated[
        Until | None,
        typer.Argument(
            help="With --wait: `payment` answers once the payment has one (exit 0 authorized, "
            "10 when the bank asks the customer, printing the page's URL); else the end"
        ),
    ] = None,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Steps on stderr while waiting (default: on a terminal)",
        ),
    ] = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Validate an order and start its saga; prints the workflow id, or with --wait the outcome."""
    flags = {
        "order_id": order_id,
        "customer_id": customer_id,
        "customer_email": customer_email,
        "item": item,
        "currency": currency,
        "payment_method": payment_method,
        "street": street,
        "city": city,
        "state": state,
        "zip_code": zip_code,
        "country": country,
    }
    data = read_order(order_file, flags)
    if handover_delay is not None:
        data["handover_delay_seconds"] = handover_delay
    if deadline is not None:
        data["deadline_seconds"] = deadline
    try:
        order = OrderRequest.model_validate(data)  # refused here, before anything runs
    except ValidationError as err:
        problems = order_problems(err, flags if order_file is None else None)
        raise CliError("\n".join(f"invalid order: {problem}" for problem in problems)) from err
    settings = Settings()
    show_progress = sys.stderr.isatty() if progress is None else progress
    if until is not None and not wait:
        raise CliError(f"{until.value}: only after --wait (start --wait payment)")
    if until == Until.PAYMENT:
        answer = asyncio.run(payment_answer(temporal.connect(settings), order, settings))
        text, code = told(answer)
        emit(answer, output, text)
        sys.exit(code)

    async def run() -> OrderResult | None:
        client = await temporal.connect(settings)
        handle = await start_order(
            client,
            order,
            settings.queue_prefix,
            default_deadline_seconds=settings.order_deadline_seconds,
        )
        if not wait:
            started = {"order_id": order.order_id, "workflow_id": handle.id}
            typer.echo(json.dumps(started) if output.is_json else handle.id)
            return None
        typer.echo(f"started {handle.id}", err=True)
        watchers = [asyncio.create_task(warn_when_unserved(client, settings.queue_prefix))]
        if show_progress:
            watchers.append(asyncio.create_task(show_steps(handle)))
        try:
            result = await order_outcome(handle)
        finally:
            watchers[0].cancel()
        if show_progress:  # it ends with the history; let it print the last steps
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watchers[1], timeout=5)
        return result

    result = asyncio.run(run())
    if result is not None:
        emit(result, output, result_text(result))
        sys.exit(exit_code(result.status))


@temporal_options
def status(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Where the saga is and how each step went; the exit code tells an ended order's outcome."""
    settings = Settings()

    async def run() -> Any:
        client = await temporal.connect(settings)
        return await order_status(client, order_id)

    found = asyncio.run(run())
    if found.status in SHIPPED_STATES:  # its returns and disputes, from their tables
        with migrated_engine() as engine:
            after_sale.tell(engine, found)
    emit(found, output, status_text(found))
    sys.exit(exit_code(found.status))
