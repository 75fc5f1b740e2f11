"""An address the mail library cannot write is refused where the order comes in, naming the
field; a mail that still cannot be written fails at once, never retried for a day."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notification.activities import MAIL_UNWRITABLE, NotificationActivities
from activities.notification.mailer import SmtpServer
from tests.activities.notification.test_send_order_mail import MAIL, SENDER, mailbox
from tests.helpers import order
from workflows.order_request import OrderRequest

__all__ = ["mailbox"]  # the fixture: a real SMTP server


@pytest.mark.parametrize("address", ["jürgen@exämple.com", "=?utf-8?q?x?=@example.com"])
def test_an_unwritable_address_is_refused_naming_the_field(address: str) -> None:
    data = {**order(("prod-456", 1, "19.99")).model_dump(), "customer_email": address}
    with pytest.raises(ValidationError) as refused:
        OrderRequest.model_validate(data)
    assert [e["loc"] for e in refused.value.errors()] == [("customer_email",)]


def test_a_unicode_domain_is_kept_in_its_ascii_form() -> None:
    data = {**order(("prod-456", 1, "19.99")).model_dump(), "customer_email": "jane@exämple.com"}
    assert OrderRequest.model_validate(data).customer_email == "jane@xn--exmple-cua.com"


async def test_a_mail_that_cannot_be_written_fails_at_once(mailbox) -> None:
    box, url = mailbox
    activities = NotificationActivities(SmtpServer.from_url(url), sender=SENDER)
    unwritable = MAIL.model_copy(update={"to": "jürgen@exämple.com"})  # a history's, say
    with pytest.raises(ApplicationError) as failed:
        await ActivityEnvironment().run(activities.send_order_mail, unwritable)
    assert (failed.value.type, failed.value.non_retryable) == (MAIL_UNWRITABLE, True)
    assert "jürgen" not in str(failed.value)
    assert box.messages() == []
