"""The money told as it happened, with the real activities and the local Stripe server: a
hold released is voided (never refunded), a capture given back is refunded, a refund the
bank refused is told as such until a person's retry refunds it; the result, the status, the
failure message and the customer's mail say the same."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import WorkflowFailureError, WorkflowHandle

from order_saga.client import order_result, query_status, retry_undos
from tests.helpers import order, until
from tests.workflows.test_customer_mail import body, mail_run, mailbox, with_email
from workflows.money import Money, Undone
from workflows.order_mails import undone_mail
from workflows.order_state import OrderResult, Resolution, SagaState, StepState

__all__ = ["mail_run", "mailbox"]  # the fixtures: a worker whose mails reach a real SMTP server


async def captured_at(handle: WorkflowHandle[Any, Any]) -> None:
    """Wait until the capture window took the money while the parcel waits for pickup."""

    async def captured() -> bool:
        status = await query_status(handle)
        steps = {s.name: s.state for s in status.steps}
        return steps["capture_payment"] == StepState.DONE

    await until(captured)


async def test_a_rejected_shipment_voids_the_hold_and_says_so(mail_run, make_product) -> None:
    request = with_email(order((make_product(price="19.99"), 1, "19.99"), country="AQ"))
    async with mail_run() as run:
        handle = await run.start(request)
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
        result = await order_result(handle)
        await run.mail_sent(request, "undone")
        metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        summaries = [
            e.user_metadata.summary.data.decode()
            async for e in handle.fetch_history_events()
            if e.user_metadata.HasField("summary")
        ]

    assert result.status == SagaState.COMPENSATED and result.payment == Money.VOIDED
    assert result.undone == [
        Undone(undo="cancel_shipment", did="nothing to undo"),  # the carrier booked nothing
        Undone(undo="refund_payment", did="voided"),
        Undone(undo="release_inventory", did="released"),
    ]
    message = str(failed.value.cause)
    told = "undone: 19.99 USD voided, stock released, nothing to undo for the shipment"
    assert told in message
    assert "refund" not in message
    # The undo's call in the Web UI's history names what it did: a void, not a refund.
    assert '"void 19.99 USD (release the hold)"' in summaries, summaries
    assert not [text for text in summaries if "refund" in text]
    # The Web UI's current details of the ended order say the same (Markdown-escaped).
    shown = metadata.current_details.replace("\\", "")
    assert shown.endswith(f"19.99 USD voided (the hold released: nothing was taken); {told}")


async def test_a_refund_refused_then_retried_is_told_each_time(
    mail_run, mailbox, make_product, env
) -> None:
    request = with_email(
        order((make_product(price="19.99"), 1, "19.99"), payment_method="pm_card_refundFailsOnce"),
        handover_delay_seconds=3600,
        capture_window_seconds=1,
    )
    async with mail_run() as run:
        handle = await run.start(request)
        await captured_at(handle)
        assert (await query_status(handle)).payment == Money.CAPTURED
        await handle.cancel(reason="wrong size")

        async def waiting() -> bool:
            return (await query_status(handle)).waiting_for_person

        await until(waiting)
        stuck = await query_status(handle)
        assert stuck.payment == Money.REFUND_FAILED
        await run.mail_sent(request, "delayed")  # told while a person looks at it
        assert [u.did for u in stuck.undone] == ["cancelled", "released"]  # not the refund
        settled = await retry_undos(env.client, request.order_id, by="test")
        assert settled.payment == Money.REFUNDED
        result = await order_result(handle)
        await run.mail_sent(request, "undone")

    assert (result.status, result.payment) == (SagaState.CANCELLED, Money.REFUNDED)
    assert Undone(undo="refund_payment", did="refunded") in result.undone
    delayed, settled = mailbox[0].messages()
    assert (
        delayed["Subject"] == f"Your order {request.order_id}: the return of your money is delayed"
    )
    told = body(delayed, "plain")
    assert "the return of your 19.99 USD is delayed at the bank; a person is on it" in told
    assert "was cancelled before it shipped" in told and "looking at it now" in told
    assert "the payment of 19.99 USD was refunded to your card" in body(settled, "plain")


def test_a_refund_a_person_settled_by_hand_is_told_as_settled() -> None:
    request = with_email(order(("prod-456", 1, "19.99")))
    result = OrderResult(
        order_id=request.order_id,
        status=SagaState.RESOLVED,
        error_type="Cancelled",
        total=Decimal("19.99"),
        currency="usd",
        payment=Money.REFUND_FAILED,
        resolution=Resolution(note="refunded by transfer", resolved_at=datetime.now(UTC)),
    )
    mail = undone_mail(request, result)
    assert mail.given_back == ["the return of your 19.99 USD was settled by our team"]
    assert "refunded by transfer" not in str(mail)  # the operator's note stays inside
