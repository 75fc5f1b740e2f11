"""A bank's dispute of an order's charge, end to end: the local Stripe server disputes a
`pm_card_createDispute` charge and sends its signed events to the API's webhook on a real
port; each reaches the dispute's own workflow, which records it on the order, tells the
order's subscribers, reminds before the evidence is due (a durable timer), and ends when it
closes; a return's refund is refused while it is open."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from activities.notification.contracts import mail_workflow_id
from activities.returns.contracts import ReturnedItem
from order_saga.access.authenticator import Authenticator
from order_saga.api.app import create_app
from order_saga.client import order_result
from order_saga.client.after_sale import disputes
from order_saga.client.return_opening import open_return
from order_saga.client.returns import receive_return, return_status
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.serving import serve_in_thread
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from order_saga.worker_group import build_worker
from testkit.serving import serving
from tests.helpers import order, orders_queue, start_saga, until, worker_settings
from tests.waits import until_closed
from tests.workflows.mail_run import body, mailbox
from tests.workflows.test_order_events import subscribe
from workflows.order_dispute import DisputeView
from workflows.return_request import ReturnState

SECRET = "whsec_disputes"
OPERATOR = "ops@shop.example"
__all__ = ["mailbox", "subscribe"]  # fixtures: subscribers on real ports, a real SMTP server


@pytest.mark.parametrize(("evidence", "closed"), [("winning_evidence", "won"),
                                                   ("losing_evidence", "lost")])  # fmt: skip
async def test_a_dispute_is_recorded_reminded_and_closed(
    env, engine, queue_prefix, make_product, subscribe, mailbox, evidence: str, closed: str
) -> None:
    shop = await subscribe(("order.disputed", "order.dispute_closed"))
    app = create_app(
        env.client,
        queue_prefix,
        engine=engine,
        webhook_secret=SECRET,
        authenticator=Authenticator(engine=None, disabled=True),
        operator_email=OPERATOR,
    )
    sku = make_product(stock=3)
    request = order((sku, 1, "19.99"), payment_method="pm_card_createDispute")
    request = request.model_copy(update={"handover_delay_seconds": 0})
    async with serving(app) as api_url:
        # Evidence due two days and a few seconds after the dispute: the reminder, two days
        # ahead, is a durable timer of a few seconds (the webhooks flow in real time).
        bank = LocalStripe(
            ledger=Ledger(evidence_seconds=2 * 86400 + 3),
            webhook=WebhookEndpoint(url=f"{api_url}/webhooks/stripe", secret=SECRET),
        )
        with serve_in_thread(bank) as base_url:
            settings = worker_settings(base_url, queue_prefix).model_copy(
                update={"smtp_url": SecretStr(mailbox[1])}
            )
            async with build_worker(env.client, settings=settings, engine=engine):
                await order_result(await start_saga(env, request, queue_prefix))
                [intent] = bank.ledger.intents_of_order(request.order_id)
                [dispute] = bank.ledger.disputes_of(str(intent["id"]))
                handle = env.client.get_workflow_handle(
                    f"dispute-{dispute['id']}", result_type=DisputeView
                )

                async def recorded() -> bool:
                    return bool(disputes(engine, order_id=request.order_id))

                await until(recorded)
                [shown] = disputes(engine, order_id=request.order_id, open_only=True)
                assert (shown.status, shown.amount, shown.reason) == (
                    "needs_response", Decimal("19.99"), "fraudulent"
                )  # fmt: skip
                assert shown.due_by is not None
                async with httpx.AsyncClient(base_url=api_url) as http:
                    got = (await http.get(f"/api/orders/{request.order_id}")).json()
                assert [d["status"] for d in got["disputes"]] == ["needs_response"]

                # While the bank holds the money back, a return's refund is refused by Stripe.
                queue = orders_queue(queue_prefix)
                item = [ReturnedItem(sku=sku, quantity=1)]
                opened = await open_return(env.client, request.order_id, item, queue=queue, by="c")
                await receive_return(env.client, opened.return_id, [], by="operator")

                async def refused() -> bool:
                    view = await return_status(env.client, opened.return_id)
                    return bool(view.state == ReturnState.REFUND_FAILED)

                await until(refused)
                assert "charged back" in (await return_status(env.client, opened.return_id)).detail

                async def reminded() -> bool:
                    view = await handle.query("status", result_type=DisputeView)
                    return bool(view.reminded)

                await until(reminded)
                stripe = make_stripe_client(Settings(stripe_api_base=base_url))
                stripe.v1.disputes.update(
                    dispute["id"], params={"evidence": {"uncategorized_text": evidence}}
                )
                ended = await handle.result()
                for kind in ("disputed", "dispute_reminder"):
                    await until_closed(
                        env.client.get_workflow_handle(mail_workflow_id(handle.id, kind))
                    )
                await until_closed(env.client.get_workflow_handle(f"{handle.id}-events"))

    assert ended.dispute is not None and (ended.dispute.status, ended.dispute.open) == (
        closed, False
    )  # fmt: skip
    assert ended.reminded and ended.dispute.order_id == request.order_id
    [row] = disputes(engine, order_id=request.order_id)
    assert (row.status, row.open) == (closed, False)
    told = shop.events_of(request.order_id)  # the order's subscribers heard, signed
    assert [(e["type"], e["data"]["status"]) for e in told] == [
        ("order.disputed", "needs_response"),
        ("order.dispute_closed", closed),
    ]
    assert told[0]["data"]["amount"] == "19.99" and told[0]["data"]["due_by"]
    assert shop.forged == 0
    mails = {m["Subject"]: m for m in mailbox[0].messages()}
    told = mails[f"Order {request.order_id}: the bank disputes the charge"]
    assert told["To"] == OPERATOR and 'reason "fraudulent"' in body(told, "plain")
    assert "evidence is due by" in body(told, "plain")
    assert f"Order {request.order_id}: the dispute's evidence is due soon" in mails
