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
    from activities.notification.contracts import MailSent, OrderMail
    from workflows import saga_metrics
    from workflows.detached import start_detached

NOTIFY_WORKFLOW_TYPE = "NotifyCustomer"
MAIL_NOT_SENT = "MailNotSent"


@workflow.defn(name=NOTIFY_WORKFLOW_TYPE)
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


# What each mail tells the customer, as the Web UI labels its workflow and activity.
MAIL_LABELS = {
    "confirmed": "the order is on its way",
    "undone": "the order did not ship",
    "authentication": "the bank asks to confirm the payment",
    "delayed": "the return of the money is delayed, a person is on it",
    "disputed": "the bank disputes the charge",
    "dispute_reminder": "the dispute's evidence is due soon",
}
OPERATOR_KINDS = frozenset({"disputed", "dispute_reminder"})  # to the shop, not the customer


def mail_label(mail: OrderMail) -> str:
    """`mail the customer of order o-123: the order is on its way`."""
    whom = "the operator about" if mail.kind in OPERATOR_KINDS else "the customer of"
    return f"mail {whom} order {mail.order_id}: {MAIL_LABELS.get(mail.kind, mail.kind)}"


def mail_workflow_id(saga_id: str, kind: str) -> str:
    """One mail workflow per order and event."""
    return f"{saga_id}-mail-{kind}"
