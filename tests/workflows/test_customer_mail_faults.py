"""The customer's mail through a mail server's faults: refusing for a while delays the mail,
never the order; a send whose answer was lost is sent again as the same mail; a mail refused
for good is counted and the order stays as it ended."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.client import (
    Client,
    WorkflowFailureError,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from order_saga.client import order_result, query_status
from order_saga.metrics import prometheus_runtime
from tests.helpers import order
from tests.history import activity_attempts
from tests.metrics_scrape import saga_counter, samples
from tests.ports import free_port
from tests.workflows.mail_run import EMAIL, mail_run, mailbox, with_email
from workflows.order_state import SagaState

__all__ = ["mail_run", "mailbox"]  # fixtures: a worker whose mails reach a real SMTP server


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
