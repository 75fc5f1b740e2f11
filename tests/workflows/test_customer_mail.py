"""The customer hears about their order: a real SMTP server (the one `order-saga dev` runs)
receives the mails the saga's real activities send, and what each says. Through refusals
and lost answers: test_customer_mail_faults.py."""

from __future__ import annotations

from order_saga.client import order_result, query_status
from tests.helpers import order, until
from tests.workflows.mail_run import EMAIL, body, mail_run, mailbox, with_email
from workflows.order_state import SagaState

__all__ = ["mail_run", "mailbox"]  # fixtures: a worker whose mails reach a real SMTP server


async def test_a_completed_order_mails_its_confirmation_with_lines_totals_and_tracking(
    mail_run, mailbox, make_product, placement
) -> None:
    cups, kettle = make_product(stock=5, price="19.99"), make_product(stock=5, price="49.50")
    request = with_email(order((cups, 2, "19.99"), (kettle, 1, "49.50")))
    async with mail_run(placement) as run:
        result = await order_result(await run.start(request))
        sent = await run.mail_sent(request, "confirmed")
        label = await (await sent.describe()).static_summary()

    assert result.status == SagaState.COMPLETED
    assert label == f"mail the customer of order {request.order_id}: the order is on its way"
    [mail] = mailbox[0].messages()
    assert mail["To"] == EMAIL
    assert mail["Message-ID"] == f"<{request.workflow_id}.confirmed@order-saga.localhost>"
    assert mail["Subject"] == f"Your order {request.order_id} is on its way"
    text, html = body(mail, "plain"), body(mail, "html")
    assert f"tracking number {result.tracking_number}" in text
    assert f"2 x {cups} at 19.99 USD = 39.98 USD" in text
    assert f"1 x {kettle} at 49.50 USD = 49.50 USD" in text
    assert "Total: 89.48 USD" in text
    assert f"<td>{cups}</td>" in html and "<strong>89.48 USD</strong>" in html


async def test_a_cancelled_order_mails_what_was_given_back(mail_run, mailbox, make_product) -> None:
    request = with_email(
        order((make_product(price="19.99"), 1, "19.99")), handover_delay_seconds=3600
    )
    async with mail_run() as run:
        handle = await run.start(request)

        async def awaiting_pickup() -> bool:
            return (await query_status(handle)).status == SagaState.AWAITING_HANDOVER

        await until(awaiting_pickup)
        await handle.cancel(reason="changed my mind")
        assert (await order_result(handle)).status == SagaState.CANCELLED
        await run.mail_sent(request, "undone")

    [mail] = mailbox[0].messages()
    assert mail["Subject"] == f"Your order {request.order_id} was cancelled before it shipped"
    text = body(mail, "plain")
    assert "the 19.99 USD held on your card was released; nothing was taken" in text
    assert "the shipment was cancelled before it left" in text


async def test_a_declined_order_says_why_in_plain_words(mail_run, mailbox, make_product) -> None:
    request = with_email(
        order((make_product(price="19.99"), 1, "19.99"), payment_method="pm_card_chargeDeclined")
    )
    async with mail_run() as run:
        result = await order_result(await run.start(request))
        await run.mail_sent(request, "undone")

    assert result.status == SagaState.COMPENSATED
    [mail] = mailbox[0].messages()
    text = body(mail, "plain")
    assert "was not completed: your card was declined by your bank." in text
    assert "nothing was taken from your card" in text
    assert "CardDeclined" not in text and "CardDeclined" not in body(mail, "html")
