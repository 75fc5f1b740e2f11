"""The customer's mail about their order, sent by a workflow of its own.

The saga starts it (abandoned when the saga closes) once the order's state has changed, and
moves on: the mail is the outbox of that change. This workflow retries the send for as long
as the mail server takes, up to a day; a mail that fails for good is logged and counted, and
the order it is about stays as it ended. Its id is derived from the order and the event, and
a closed one is not started again unless it failed, so the saga starting it twice (a
person's retry, a replay, a reset of the saga) sends one mail.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.notification.activities import SEND_ORDER_MAIL
    from activities.notification.contracts import (
        MAIL_WORKFLOW,
        MailSent,
        OrderMail,
        mail_label,
        mail_workflow_id,
    )
    from workflows import saga_metrics
    from workflows.detached import start_detached

MAIL_NOT_SENT = "MailNotSent"


@workflow.defn(name=MAIL_WORKFLOW)
class NotifyCustomer:
    @workflow.run
    async def run(self, mail: OrderMail) -> MailSent:
        """Send the mail; when every retry failed, count it and fail (red in the Web UI)."""
        try:
            return await SEND_ORDER_MAIL.execute(mail, summary=mail_label(mail))
        except ActivityError as err:
            cause = err.cause
            why = cause.type if isinstance(cause, ApplicationError) else type(cause).__name__
            # The address stays out of the log: the order id finds it for whoever may see it.
            workflow.logger.warning(
                "order %s: the %s mail was not sent (%s): %s",
                mail.order_id,
                mail.kind,
                why,
                str(cause) if cause is not None else err.message,
            )
            saga_metrics.count(saga_metrics.NOTIFICATION_FAILURES, kind=mail.kind)
            raise ApplicationError(
                f"the {mail.kind} mail of order {mail.order_id} was not sent: {why}",
                type=MAIL_NOT_SENT,
                non_retryable=True,
            ) from None


async def tell_customer(mail: OrderMail) -> None:
    """Hand the mail to its own workflow and return once it has started."""
    await start_detached(
        NotifyCustomer.run,
        mail,
        id=mail_workflow_id(mail.saga_id, mail.kind),
        summary=mail_label(mail),
        once=True,  # a mail sent is never sent again, a reset of the saga's included
    )
