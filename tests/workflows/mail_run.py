"""A worker with the real activities whose mails go to a real SMTP server (the one `order-saga
dev` runs), for the tests of the customer's mails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import (
    Client,
    WorkflowHandle,
)
from temporalio.testing import WorkflowEnvironment

from activities.notification.contracts import mail_workflow_id
from order_saga.embedded.mailbox import Mailbox, local_mail_server
from order_saga.worker_group import build_worker
from tests.helpers import worker_settings
from tests.ports import free_port
from tests.waits import until_closed
from workflows.order_request import OrderRequest
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
        # Cached, as deployments run: the saga hands its mails over in local activities, which
        # an uncached worker cancels with each eviction. Non-determinism is test_replay's.
        self.group = build_worker(client, settings=settings, engine=engine)

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
