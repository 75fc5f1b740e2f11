"""A dispute of an order's charge, as its own workflow (`dispute-<Stripe's dispute id>`),
started and fed by Stripe's `charge.dispute.*` webhooks (signal-with-start): each event's
dispute recorded on the order's books, a durable reminder before the evidence is due (a timer,
not a cron), the end when the bank closes it won or lost."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import VersioningBehavior

with workflow.unsafe.imports_passed_through():
    from activities.messages import Strict
    from activities.notification.contracts import MailKind, OrderMail
    from activities.payment.contracts import DisputeSnapshot, RecordedDispute
    from activities.payment.disputing import RECORD_DISPUTE, REMIND_DISPUTE
    from workflows.customer_mail import tell_customer
    from workflows.markdown import inert
    from workflows.order_event_stream import OrderEventStream

DISPUTE_EVENT_SIGNAL = "dispute_event"
DISPUTE_PREFIX = "dispute-"
# How long before the evidence is due an operator is reminded of a dispute still open.
REMINDER_LEAD = timedelta(days=2)
# How long the subscriber lookup retries before the dispute's events are given up.
LOOKUP_DEADLINE = timedelta(minutes=10)


class DisputeStart(Strict):
    dispute_id: str
    operator_email: str | None = None  # mailed of the dispute and its reminder, when set


class DisputeView(Strict):
    """A dispute as its status tells it; `dispute` is None until the first event is recorded."""

    dispute_id: str
    dispute: RecordedDispute | None = None
    reminded: bool = False
    events: int = 0


class DisputeProcess:
    """One dispute's process; `OrderDispute` and `UpgradingOrderDispute` run it."""

    def __init__(self, start: DisputeStart) -> None:
        self._view = DisputeView(dispute_id=start.dispute_id)
        self._operator = start.operator_email
        self._pending: list[DisputeSnapshot] = []
        self._latest = 0
        self._events = OrderEventStream()
        self._told = False  # the order's subscribers heard of the dispute
        self._closed = False  # and of its close (once: the delivery ends after it)

    @workflow.signal(name=DISPUTE_EVENT_SIGNAL)
    def dispute_event(self, snapshot: DisputeSnapshot) -> None:
        """Stripe told of the dispute; an event older than one already taken changes nothing."""
        self._view = self._view.model_copy(update={"events": self._view.events + 1})
        if snapshot.event_created >= self._latest:
            self._latest = snapshot.event_created
            self._pending.append(snapshot)

    @workflow.query(name="status")
    def status(self) -> DisputeView:
        """The dispute as last recorded."""
        return self._view

    async def run(self, start: DisputeStart) -> DisputeView:
        """Record each event's dispute until it closes; remind once before the evidence is due."""
        while True:
            wait = self._until_reminder()
            if wait is not None and wait <= timedelta(0):
                await self._remind()
                continue
            try:
                await workflow.wait_condition(
                    lambda: bool(self._pending),
                    timeout=wait,
                    timeout_summary="remind before the evidence is due",
                )
            except TimeoutError:
                await self._remind()
                continue
            while self._pending:
                recorded = await RECORD_DISPUTE.execute(
                    self._pending.pop(0), summary="record the dispute", local=True
                )
                self._view = self._view.model_copy(update={"dispute": recorded})
                await self._tell(recorded)
                workflow.set_current_details(  # Stripe's words, inert all the same
                    f"**{inert(recorded.status)}**: {recorded.amount} "
                    f"{inert(recorded.currency.upper())} of order "
                    f"{inert(recorded.order_id or 'unknown')} ({inert(recorded.reason)})"
                )
            if self._view.dispute is not None and not self._view.dispute.open:
                await workflow.wait_condition(workflow.all_handlers_finished)
                return self._view

    async def _tell(self, dispute: RecordedDispute) -> None:
        """The order's subscribers hear of the dispute once, and of its close."""
        if dispute.order_id is None:
            return  # not one of our orders' charges
        told = {
            "dispute_id": dispute.dispute_id,
            "status": dispute.status,
            "amount": str(dispute.amount),
            "currency": dispute.currency,
            "reason": dispute.reason,
            "due_by": dispute.due_by.isoformat() if dispute.due_by else None,
        }
        if not self._told:
            self._told = True
            await self._events.open(dispute.order_id, deadline=LOOKUP_DEADLINE)
            await self._events.emit("order.disputed", **told)
            await self._mail("disputed", dispute)
        if not dispute.open and not self._closed:
            self._closed = True
            await self._events.emit("order.dispute_closed", **told)
            await self._events.close()

    def _until_reminder(self) -> timedelta | None:
        """How long until the reminder; None when none is due (closed, reminded, no date)."""
        dispute = self._view.dispute
        if dispute is None or not dispute.open or self._view.reminded or dispute.due_by is None:
            return None
        return dispute.due_by - REMINDER_LEAD - workflow.now()

    async def _remind(self) -> None:
        await REMIND_DISPUTE.execute(
            self._view.dispute_id, summary="remind: evidence due soon", local=True
        )
        self._view = self._view.model_copy(update={"reminded": True})
        if self._view.dispute is not None:
            await self._mail("dispute_reminder", self._view.dispute)

    async def _mail(self, kind: MailKind, dispute: RecordedDispute) -> None:
        """The operator's mail, when an address is set: its own workflow, sent once."""
        if self._operator is None or dispute.order_id is None:
            return
        due = f"{dispute.due_by:%Y-%m-%d %H:%M} UTC" if dispute.due_by else "a date Stripe gives"
        await tell_customer(
            OrderMail(
                order_id=dispute.order_id,
                saga_id=workflow.info().workflow_id,
                kind=kind,
                to=self._operator,
                customer_id="-",
                lines=[],
                total=dispute.amount,
                currency=dispute.currency,
                reason=dispute.reason,
                outcome=f"evidence is due by {due}",
            )
        )


@workflow.defn(name="OrderDispute")
class OrderDispute(DisputeProcess):
    """A dispute, on an unversioned worker."""

    @workflow.init
    def __init__(self, start: DisputeStart) -> None:
        super().__init__(start)

    @workflow.run
    async def run(self, start: DisputeStart) -> DisputeView:
        """Record each event's dispute until it closes; remind before the evidence is due."""
        return await super().run(start)


# A dispute lasts weeks (the evidence's deadline, then the bank's decision): on a versioned
# worker it moves to each new build instead of keeping its own alive.
@workflow.defn(name="OrderDispute", versioning_behavior=VersioningBehavior.AUTO_UPGRADE)
class UpgradingOrderDispute(DisputeProcess):
    """The same dispute on a versioned worker."""

    @workflow.init
    def __init__(self, start: DisputeStart) -> None:
        super().__init__(start)

    @workflow.run
    async def run(self, start: DisputeStart) -> DisputeView:
        """Record each event's dispute until it closes; remind before the evidence is due."""
        return await super().run(start)
