"""What the commands print and how they exit: one `--output text|json`, an exit code a
script can branch on for every outcome of an order."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from pydantic import BaseModel

from order_saga.client import ClosedOrder
from workflows.money import NOTHING, Money, Undone, payment_told, told
from workflows.order_state import SHIPPED_STATES, OrderResult, SagaState, SagaStatus
from workflows.parcel_state import Parcel


class Output(StrEnum):
    TEXT = "text"
    JSON = "json"
    JSONL = "jsonl"  # one compact JSON object a line (for a list: a line a row)

    @property
    def is_json(self) -> bool:
        """Whether a program reads it."""
        return self != Output.TEXT


def as_output(value: str | Output) -> Output:
    """The --output choice, in any case; a wrong one is a usage error saying the choices."""
    try:
        return Output(str(value).lower())
    except ValueError:
        choices = ", ".join(o.value for o in Output)
        raise typer.BadParameter(f"{value!r} is not one of {choices}") from None


OutputOption = Annotated[
    Output,
    typer.Option(
        "--output",
        "-o",
        parser=as_output,
        metavar="text|json|jsonl",
        help="text, json, or jsonl (one object a line)",
    ),
]

# 0 is also every command that did what was asked; 1 is one that could not (one line on
# stderr says why); 2 is a usage error.
EXIT_CODES: dict[str, int] = {
    SagaState.COMPLETED: 0,
    SagaState.COMPENSATED: 3,
    SagaState.CANCELLED: 4,
    SagaState.EXPIRED: 5,
    SagaState.COMPENSATION_FAILED: 6,
    SagaState.RESOLVED: 7,
    SagaState.REFUSED: 8,
    SagaState.TERMINATED: 9,
    SagaState.PARTIALLY_SHIPPED: 10,
}


def exit_code(state: str | None) -> int:
    """The exit code of an order in `state`; 0 while it is still running."""
    return EXIT_CODES.get(state or "", 0)


def emit(model: BaseModel, output: Output, text: str) -> None:
    """Print `model` as JSON, or its text rendering."""
    if output == Output.TEXT:
        typer.echo(text)
    else:
        typer.echo(model.model_dump_json(indent=2 if output == Output.JSON else None))


def result_text(result: OrderResult) -> str:
    """An order's outcome in a line or two."""
    lines = [f"order {result.order_id}: {result.status}"]
    if result.status in SHIPPED_STATES:
        money = payment_told(result.payment or Money.CAPTURED, result.total, result.currency)
        lines.append(
            f"  {money} ({result.payment_id}), "
            f"shipment {result.shipment_id}, tracking {result.tracking_number}"
        )
        lines += parcel_lines(result.parcels)
    elif result.failed_step:
        lines.append(f"  {result.failed_step} failed: {result.error_type}: {result.error_message}")
    elif result.error_message:
        lines.append(f"  {result.error_message}")
    return "\n".join(lines + undo_lines(result))


def status_text(status: SagaStatus | ClosedOrder) -> str:
    """Where a saga is and how each of its steps went."""
    lines = [f"order {status.order_id}: {status.status or 'unknown'}"]
    lines += [f"  note: {notice}" for notice in status.notices]
    if isinstance(status, SagaStatus):
        lines += money_lines(status) + parcel_lines(status.parcels)
    for step in status.steps or []:
        error = f" ({step.error_type}: {step.error_message})" if step.error_type else ""
        lines.append(f"  {step.name:<10} {step.state}{error}")
    if isinstance(status, SagaStatus):
        if status.authentication_url:
            lines.append(f"  the customer must authenticate at: {status.authentication_url}")
        if status.review and status.review.decision is None:
            lines.append(
                f"  held for review ({'; '.join(status.review.reasons)}): order-saga review "
                f"{status.order_id} --approve|--decline --reason TEXT, by "
                f"{status.review.decide_by:%Y-%m-%d %H:%M:%S} UTC"
            )
        if status.cancel_reason:
            lines.append(f"  cancelled: {status.cancel_reason}")
        if status.waiting_for_person:
            lines.append(
                f"  waiting for a person: order-saga resolve {status.order_id} --retry, or "
                "--mark-resolved --note TEXT"
            )
        if status.resolution:
            lines.append(
                f"  resolved {status.resolution.resolved_at:%Y-%m-%d %H:%M:%S} UTC: "
                f"{status.resolution.note}"
            )
        lines += [
            f"  {i.action} asked by {i.by or 'someone unnamed'} at {i.at:%Y-%m-%d %H:%M:%S} UTC"
            for i in status.interventions
        ]
        lines += undo_lines(status)
    lines += after_sale_lines(status)
    return "\n".join(lines)


def parcel_lines(parcels: list[Parcel]) -> list[str]:
    """An order in parcels: each one's warehouse, lines, state and tracking, or why not."""
    return [
        f"  parcel from {p.warehouse}: "
        + ", ".join(f"{line.quantity} x {line.sku}" for line in p.lines)
        + f" {p.state}"
        + (f", tracking {p.tracking_number}" if p.tracking_number else "")
        + (f" ({p.reason})" if p.reason else "")
        for p in parcels
    ]


def after_sale_lines(status: SagaStatus | ClosedOrder) -> list[str]:
    """A shipped order's returns and disputes, one line each."""
    lines = [
        f"  return {r.return_id}: {r.state}, {r.refund} {(r.currency or '').upper()}"
        for r in status.returns
    ]
    return lines + [
        f"  dispute {d.dispute_id}: {d.status}, {d.amount} {d.currency.upper()} ({d.reason})"
        + (f", evidence due {d.due_by:%Y-%m-%d %H:%M} UTC" if d.open and d.due_by else "")
        for d in status.disputes
    ]


def money_lines(status: SagaStatus) -> list[str]:
    """The order's amount, payment and shipment, as far as the saga knows them."""
    lines = []
    if status.total is not None:
        ids = ", ".join(i for i in (status.payment_id, status.payment_intent_id) if i)
        lines.append(
            f"  payment: {payment_told(status.payment, status.total, status.currency)}"
            + (f" ({ids})" if ids else "")
        )
    if status.capture_by and status.payment == "authorized":
        lines.append(f"  capture by {status.capture_by}")
    if status.refund_id:
        lines.append(f"  refund {status.refund_id}")
    if status.tracking_number:
        lines.append(f"  shipment {status.shipment_id}: {status.carrier} {status.tracking_number}")
    return lines


def undo_lines(account: OrderResult | SagaStatus) -> list[str]:
    """What was undone, newest first, in what each did (voided, refunded, released,
    cancelled, nothing to undo), and what could not be undone."""
    undone = account.undone or [  # a saga from before undos said what they did
        *(Undone(undo=name, did="run") for name in account.compensations_run),
        *(Undone(undo=name, did=NOTHING) for name in account.compensations_skipped),
    ]
    lines = [f"  undone, newest first: {told(undone, account.total, account.currency)}"]
    return (lines if undone else []) + [
        f"  NOT undone: {f.activity}: {f.message}" for f in account.compensation_failures
    ]
