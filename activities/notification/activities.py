"""The notification activity: render the order's mail and hand it to the SMTP server.

It comes after the point of no return (or after the undo), so it never fails an order: it
retries for hours with backoff, through an SMTP server that is down or answers 4xx, and what
finally fails is counted by the workflow that sent it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from temporalio import activity
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities.activity_call import ActivityCall
from activities.notification.contracts import MailSent, OrderMail
from activities.notification.mailer import MailRejected, SmtpServer
from activities.notification.rendering import message_id, render, sender_domain

MAIL_REJECTED = "MailRejected"
MAIL_DEFERRED = "MailDeferred"  # unreachable, 4xx, a timeout: tried again
MAIL_NOT_CONFIGURED = "MailNotConfigured"
MAIL_UNWRITABLE = "MailUnwritable"  # an address or a text the mail library cannot write
# 10 s, 20 s, 40 s... capped at 10 minutes, for a day: a mail server's outage of hours
# delays the mail, never loses it.
MAIL_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=10),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=10),
    maximum_attempts=0,
    non_retryable_error_types=[MAIL_REJECTED, MAIL_NOT_CONFIGURED, MAIL_UNWRITABLE],
)
MAIL_DEADLINE = timedelta(hours=24)


class NotificationActivities:
    """`server` None: no SMTP server is configured, and every send says so (non-retryable),
    so the failure is counted instead of the mail vanishing."""

    def __init__(self, server: SmtpServer | None, *, sender: str) -> None:
        sender_domain(sender)  # a bad From is refused when the worker starts, not per mail
        self._server = server
        self._sender = sender

    @activity.defn(name="send_order_mail")
    async def send_order_mail(self, mail: OrderMail) -> MailSent:
        """Send one mail about an order; a retry sends the same Message-ID."""
        if self._server is None:
            raise ApplicationError(
                "no SMTP server is configured (SMTP_URL)",
                type=MAIL_NOT_CONFIGURED,
                non_retryable=True,
            )
        try:
            message = render(mail, sender=self._sender, sent_at=datetime.now(UTC))
        except Exception as err:  # no retry writes it any better
            raise ApplicationError(
                without_address(f"the mail cannot be written: {type(err).__name__}", mail.to),
                type=MAIL_UNWRITABLE,
                non_retryable=True,
            ) from None
        # A server's reply may quote the address; failures are kept in the history (their
        # messages unencrypted), so the error says "the customer" instead, and drops its cause.
        try:
            await self._server.send(message)
        except MailRejected as err:
            raise ApplicationError(
                without_address(str(err), mail.to), type=MAIL_REJECTED, non_retryable=True
            ) from None
        except Exception as err:
            # Expected (docs/notifications.md): one line an attempt, no traceback; retried.
            why = without_address(f"{type(err).__name__}: {err}", mail.to)
            activity.logger.warning(
                "%s mail of order %s deferred (attempt %d): %s",
                mail.kind,
                mail.order_id,
                activity.info().attempt,
                why,
            )
            raise ApplicationError(
                why, type=MAIL_DEFERRED, category=ApplicationErrorCategory.BENIGN
            ) from None
        return MailSent(
            order_id=mail.order_id,
            kind=mail.kind,
            message_id=message_id(mail, sender_domain(self._sender)),
        )


# The call is typed by what the awaited send returns (ActivityCall is written for the thread-run
# activities of the other services; this one is a coroutine on the worker's event loop).
def without_address(message: str, address: str) -> str:
    """`message` with the customer's address replaced, whatever its case."""
    return re.sub(re.escape(address), "<the customer>", message, flags=re.IGNORECASE)


SEND_ORDER_MAIL = ActivityCall[OrderMail, MailSent](
    cast(Callable[[Any, OrderMail], MailSent], NotificationActivities.send_order_mail),
    service="notification",
    start_to_close_timeout=timedelta(seconds=60),
    retry_policy=MAIL_RETRY,
    schedule_to_close_timeout=MAIL_DEADLINE,
)
