"""The mail activity against a real SMTP server: what it sends, and how it fails (retry or
not, never with the customer's address in a message the history keeps)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notification.activities import (
    MAIL_DEFERRED,
    MAIL_NOT_CONFIGURED,
    MAIL_REJECTED,
    NotificationActivities,
)
from activities.notification.contracts import MailLine, OrderMail
from activities.notification.mailer import SmtpServer
from order_saga.embedded.mailbox import Mailbox, local_mail_server
from tests.ports import free_port

SENDER = "Shop <orders@shop.example>"
MAIL = OrderMail(
    order_id="o-1",
    saga_id="order-o-1",
    kind="confirmed",
    to="Jane.Doe@example.com",
    customer_id="c-1",
    lines=[MailLine(sku="mug <b>", quantity=2, unit_price=Decimal("19.99"))],
    total=Decimal("39.98"),
    currency="eur",
    carrier="ACME",
    tracking_number="1Z9",
)


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[Mailbox, str]]:
    with local_mail_server(tmp_path, port=free_port()) as served:
        yield served


async def send(url: str | None) -> object:
    activities = NotificationActivities(SmtpServer.from_url(url) if url else None, sender=SENDER)
    return await ActivityEnvironment().run(activities.send_order_mail, MAIL)


async def test_the_mail_names_the_order_and_escapes_what_it_quotes(mailbox) -> None:
    box, url = mailbox
    sent = await send(url)
    [message] = box.messages()
    assert message["Message-ID"] == "<order-o-1.confirmed@shop.example>" == sent.message_id  # type: ignore[attr-defined]
    assert message["From"] == SENDER and message["X-Order-Id"] == "o-1"
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "mug &lt;b&gt;" in html and "mug <b>" not in html
    assert "2 x mug <b> at 19.99 EUR = 39.98 EUR" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_a_temporary_refusal_is_retried_and_never_quotes_the_address(mailbox) -> None:
    box, url = mailbox
    box.refuse_next = 1  # its reply quotes the recipient, as real servers do
    with pytest.raises(ApplicationError) as raised:
        await send(url)
    assert raised.value.type == MAIL_DEFERRED and not raised.value.non_retryable
    assert "jane.doe@example.com" not in str(raised.value).lower()
    assert "<the customer>" in str(raised.value)
    assert raised.value.__cause__ is None  # the history would keep the cause's text too


async def test_an_unknown_recipient_is_final(mailbox) -> None:
    box, url = mailbox
    box.rejected = {"jane.doe@example.com"}
    with pytest.raises(ApplicationError) as raised:
        await send(url)
    assert raised.value.type == MAIL_REJECTED and raised.value.non_retryable
    assert "jane.doe" not in str(raised.value).lower()


async def test_an_unreachable_server_is_retried() -> None:
    with pytest.raises(ApplicationError) as raised:
        await send(f"smtp://127.0.0.1:{free_port()}")
    assert raised.value.type == MAIL_DEFERRED and not raised.value.non_retryable


async def test_no_server_configured_is_said_and_final() -> None:
    with pytest.raises(ApplicationError) as raised:
        await send(None)
    assert raised.value.type == MAIL_NOT_CONFIGURED and raised.value.non_retryable


@pytest.mark.parametrize(
    ("url", "port", "implicit_tls", "start_tls"),
    [
        ("smtp://relay.example", 587, False, None),  # STARTTLS when offered
        ("smtp://u:p%40ss@relay.example:2525", 2525, False, True),  # credentials: required
        ("smtp://u:p@localhost:25?starttls=no", 25, False, None),  # a local relay, said so
        ("smtps://u:p@relay.example", 465, True, None),
    ],
)
def test_the_smtp_url_says_how_to_connect(
    url: str, port: int, implicit_tls: bool, start_tls: bool | None
) -> None:
    server = SmtpServer.from_url(url)
    assert (server.port, server.implicit_tls, server.start_tls) == (port, implicit_tls, start_tls)


def test_a_password_in_the_url_is_unquoted() -> None:
    assert SmtpServer.from_url("smtp://u:p%40ss@relay.example").password == "p@ss"


@pytest.mark.parametrize("url", ["http://relay.example", "smtp://", "relay.example:25"])
def test_a_bad_smtp_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        SmtpServer.from_url(url)
