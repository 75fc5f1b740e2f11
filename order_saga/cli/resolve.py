"""`order-saga resolve` and `order-saga terminate`: what a person does when the saga cannot."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from order_saga.cli import AS_OPTION, ENVCONFIG, CliError, Temporal, requester, temporal_options
from order_saga.cli.output import Output, OutputOption, emit, exit_code, status_text
from order_saga.client import mark_resolved, retry_undos, terminate_order
from order_saga.settings import Settings
from workflows.order_state import SagaStatus


@temporal_options
def resolve(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    retry: Annotated[bool, typer.Option("--retry", help="Run the failed undos again")] = False,
    mark_resolved_: Annotated[
        bool, typer.Option("--mark-resolved", help="Record a fix made by hand; ends the saga")
    ] = False,
    note: Annotated[str | None, typer.Option(help="What was done (with --mark-resolved)")] = None,
    as_: AS_OPTION = None,
    output: OutputOption = Output.TEXT,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Settle a saga waiting in COMPENSATION_FAILED: retry its failed undos, or mark it resolved."""
    if retry == mark_resolved_:  # a usage error: exit 2, with the usage
        raise typer.BadParameter("say --retry or --mark-resolved --note TEXT (one of them)")
    if mark_resolved_ and not (note and note.strip()):
        raise CliError("--mark-resolved needs --note TEXT: what was done, for the record")
    settings = Settings()
    by = requester(as_)

    async def run() -> SagaStatus:
        client = await temporal.connect(settings)
        if retry:
            return await retry_undos(client, order_id, by=by)
        return await mark_resolved(client, order_id, note or "", by=by)

    status = asyncio.run(run())
    emit(status, output, status_text(status))
    if status.waiting_for_person:  # the retry failed again
        sys.exit(exit_code(status.status))


@temporal_options
def terminate(
    order_id: Annotated[str, typer.Argument(help="The order id, or the workflow id start printed")],
    reason: Annotated[str, typer.Option(help="Why, recorded in the history")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Terminate, knowing nothing is undone")
    ] = False,
    as_: AS_OPTION = None,
    temporal: Temporal = ENVCONFIG,
) -> None:
    """Stop a saga at once WITHOUT undoing anything (use cancel to undo)."""
    if not yes:
        raise CliError(
            f"terminate stops order {order_id}'s saga at once and undoes nothing: reserved "
            "stock stays reserved, a charge stays charged, a booked shipment stays booked "
            "(`order-saga cancel` undoes them). Add --yes to terminate anyway"
        )
    settings = Settings()

    async def run() -> str:
        client = await temporal.connect(settings)
        return await terminate_order(client, order_id, f"{reason} (by {requester(as_)})")

    workflow_id = asyncio.run(run())
    typer.echo(f"terminated {workflow_id}: nothing was undone ({reason})")
