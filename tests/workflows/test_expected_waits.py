"""Waits the docs call expected read as one line an attempt in the worker's log, never as a
traceback: a mail server refusing for a while, a subscriber answering 503."""

from __future__ import annotations

import logging

import pytest

from order_saga.client import order_result
from testkit.subscriber import Subscriber
from tests.helpers import order, until
from tests.workflows.test_customer_mail import mail_run, mailbox, with_email
from tests.workflows.test_order_events import delivered, run_order, subscribe, workers
from workflows.order_state import SagaState

__all__ = ["mail_run", "mailbox", "subscribe"]  # the fixtures


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The worker's records at INFO or above that carry a traceback."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO and r.exc_info]


async def test_a_mail_server_refusing_for_a_while_logs_a_line_an_attempt(
    mail_run, mailbox, make_product, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    mailbox[0].refuse_next = 1
    request = with_email(order((make_product(), 1, "19.99")))
    async with mail_run() as run:
        assert (await order_result(await run.start(request))).status == SagaState.COMPLETED
        await run.mail_sent(request, "confirmed")
    deferred = [r.getMessage() for r in caplog.records if "deferred (attempt 1)" in r.getMessage()]
    assert len(deferred) == 1 and "confirmed mail of order" in deferred[0]
    assert tracebacks(caplog) == []


async def test_a_subscriber_answering_503_logs_a_line_an_attempt(
    env, engine, stripe_server, queue_prefix, make_product, subscribe, caplog
) -> None:
    caplog.set_level(logging.INFO)
    down = await subscribe(subscriber=Subscriber(down=True))
    request = order((make_product(), 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})
    async with workers(env, engine, stripe_server, queue_prefix, "colocated"):
        await run_order(env.client, request, queue_prefix)

        async def refused_once() -> bool:
            return down.refused >= 1

        await until(refused_once)
        down.down = False
        await delivered(env.client, request)
    answered = [r.getMessage() for r in caplog.records if "answered 503 (attempt" in r.getMessage()]
    assert answered and all("; retried" in m for m in answered)
    assert tracebacks(caplog) == []
