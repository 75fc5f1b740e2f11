"""The customer hears about their order: a real SMTP server (the one `order-saga dev` runs)
receives the mails the saga's real activities send, through refusals and lost answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from order_saga.client import order_result, query_status
from order_saga.embedded.mailbox import Mailbox, local_mail_server
from order_saga.metrics import prometheus_runtime
from order_saga.worker_group import build_worker
from tests.conftest import free_port
from tests.helpers import activity_attempts, order, until, until_closed, worker_settings
from tests.metrics_scrape import saga_counter, samples
from workflows.customer_mail import mail_workflow_id
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement

EMAIL = "jane.doe@example.com"


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[Mailbox, str]]:
    with local_mail_server(tmp_path / "mail", port=free_port()) as served:
        yield served


def with_email(request: OrderRequest, **changes: Any) -> OrderRequest:
    """`request` with the customer's address, picked up at once: a mail's workflow that
    outlives a test's worker keeps the time-skipping server from skipping time for the
    module's later tests, so a pickup delay would be spent in real time."""
    return request.model_copy(
        update={"customer_email": EMAIL, "handover_delay_seconds": 0, **changes}
    )


def body(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


class MailRun:
    """A worker with the real activities whose mails go to the test's mailbox."""

    def __init__(
        self,
        client: Client,
        engine: Engine,
        stripe_url: str,
        prefix: str,
        smtp_url: str,
        placement: Placement = "colocated",
    ) -> None:
        settings = worker_settings(stripe_url, prefix).model_copy(
            update={"smtp_url": SecretStr(smtp_url), "placement": placement}
        )
        self.client = client
        self.settings = settings
        # Per service, no cache: every task replays, so non-determinism in the mail paths shows
        # here (colocated, an eviction would cancel the local activity in flight).
        cached = 0 if placement == "per-service" else 100
        self.group = build_worker(
            client, settings=settings, engine=engine, max_cached_workflows=cached
        )

    async def __aenter__(self) -> MailRun:
        await self.group.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.group.__aexit__(None, None, None)

    async def start(self, request: OrderRequest) -> WorkflowHandle[Any, Any]:
        return await self.client.start_workflow(
            OrderSaga.run,
            request,
            id=request.workflow_id,
            task_queue=f"{self.settings.queue_prefix}-orders",
        )

    async def mail_sent(self, request: OrderRequest, kind: str) -> WorkflowHandle[Any, Any]:
        """The mail's own workflow, once it has ended (a retried send takes its backoff, 10 s,
        in real time)."""
        handle = self.client.get_workflow_handle(mail_workflow_id(request.workflow_id, kind))
        await until_closed(handle)
        return handle


@pytest.fixture
def mail_run(
    env: WorkflowEnvironment, engine: Engine, stripe_server, queue_prefix, mailbox
) -> Callable[..., MailRun]:
    def make(placement: Placement = "colocated", client: Client | None = None) -> MailRun:
        return MailRun(
            client or env.client, engine, stripe_server[1], queue_prefix, mailbox[1], placement
        )

    return make


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


async def test_a_mail_server_refusing_for_a_while_delays_the_mail_never_the_order(
    mail_run, mailbox, make_product
) -> None:
    box = mailbox[0]
    box.refuse_next = 1
    request = with_email(order((make_product(), 1, "19.99")))
    async with mail_run() as run:
        result = await order_result(await run.start(request))
        assert result.status == SagaState.COMPLETED  # whatever the mail server says
        handle = await run.mail_sent(request, "confirmed")

    assert box.refused == 1
    assert await activity_attempts(handle, "send_order_mail") == 2
    assert len(box.messages()) == 1


async def test_a_send_whose_answer_was_lost_is_sent_again_as_the_same_mail(
    mail_run, mailbox, make_product
) -> None:
    box = mailbox[0]
    box.lose_answer_next = 1
    request = with_email(order((make_product(), 1, "19.99")))
    async with mail_run() as run:
        await order_result(await run.start(request))
        await run.mail_sent(request, "confirmed")

    first, second = box.messages()  # delivered twice: SMTP cannot know the first arrived
    assert first["Message-ID"] == second["Message-ID"]  # ...so a mail client shows one


@pytest.fixture
async def metered_client(env: WorkflowEnvironment) -> AsyncIterator[tuple[Client, int]]:
    port = free_port()
    client = await Client.connect(
        env.client.service_client.config.target_host,
        namespace=env.client.namespace,
        data_converter=pydantic_data_converter,
        runtime=prometheus_runtime(port, host="127.0.0.1"),
    )
    yield client, port


async def test_a_mail_refused_for_good_is_counted_and_the_order_stays_completed(
    mail_run, mailbox, make_product, metered_client
) -> None:
    client, port = metered_client
    mailbox[0].rejected = {EMAIL}
    request = with_email(order((make_product(), 1, "19.99")))
    async with mail_run(client=client) as run:
        before = samples(port)
        assert saga_counter(before, "order_saga_notification_failures_total", kind="confirmed") == 0
        handle = await run.start(request)
        assert (await order_result(handle)).status == SagaState.COMPLETED
        mail = await run.mail_sent(request, "confirmed")
        with pytest.raises(WorkflowFailureError) as failed:
            await mail.result()
        assert "MailRejected" in str(failed.value.cause)
        # Failure messages are kept unencrypted: the server's reply quoted the address.
        assert EMAIL not in (await mail.fetch_history()).to_json()
        after = samples(port)
        assert (await query_status(handle)).status == SagaState.COMPLETED

    assert saga_counter(after, "order_saga_notification_failures_total", kind="confirmed") == 1
    assert mailbox[0].messages() == []
