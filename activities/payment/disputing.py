"""Disputes on the order's books: each `charge.dispute.*` event's dispute written on its row
(the order found by the charge's PaymentIntent), a closed one never reopened by a late event;
and the reminder before the evidence is due. The dispute's workflow runs these locally."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Engine, Table, insert, select, update
from temporalio import activity

from activities.activity_call import ActivityCall
from activities.database import transaction
from activities.failures import reports_failures
from activities.money import CURRENCY_EXPONENTS, from_minor_units
from activities.payment.contracts import DisputeSnapshot, RecordedDispute
from activities.payment.repository import PAYMENTS
from activities.payment.tables import Dispute
from activities.retries import bookkeeping_retry
from activities.timestamps import utcnow

DISPUTES: Table = Dispute.__table__  # type: ignore[attr-defined]
CLOSED = frozenset({"won", "lost", "warning_closed", "charge_refunded"})


def is_open(status: str) -> bool:
    """Whether the dispute still waits on the merchant or the bank."""
    return status not in CLOSED


class DisputeActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @activity.defn(name="record_dispute")
    @reports_failures
    def record_dispute(self, snapshot: DisputeSnapshot) -> RecordedDispute:
        """Write the dispute as the event shows it; a closed one stays closed."""
        known = snapshot.currency in CURRENCY_EXPONENTS  # else two decimals, as most are
        amount = (
            from_minor_units(snapshot.amount, snapshot.currency)
            if known
            else Decimal(snapshot.amount).scaleb(-2)
        )
        with transaction(self._engine) as session:
            row = session.execute(
                select(DISPUTES.c.status, DISPUTES.c.order_id)
                .where(DISPUTES.c.dispute_id == snapshot.dispute_id)
                .with_for_update()
            ).first()
            order_id = (
                row.order_id
                if row
                else session.execute(
                    select(PAYMENTS.c.order_id).where(
                        PAYMENTS.c.transaction_id == snapshot.payment_intent
                    )
                ).scalar_one_or_none()
            )
            status = row.status if row and not is_open(row.status) else snapshot.status
            values = {
                "order_id": order_id,
                "status": status,
                "amount": amount,
                "currency": snapshot.currency,
                "reason": snapshot.reason,
                "due_by": snapshot.due_by,
                "updated_at": utcnow(),
            }
            if row is None:
                session.execute(
                    insert(DISPUTES).values(
                        dispute_id=snapshot.dispute_id,
                        payment_intent=snapshot.payment_intent,
                        created_at=utcnow(),
                        **values,
                    )
                )
            else:
                session.execute(
                    update(DISPUTES)
                    .where(DISPUTES.c.dispute_id == snapshot.dispute_id)
                    .values(**values)
                )
        activity.logger.info("dispute %s of order %s: %s", snapshot.dispute_id, order_id, status)
        return RecordedDispute(
            dispute_id=snapshot.dispute_id,
            order_id=order_id,
            status=status,
            amount=Decimal(amount),
            currency=snapshot.currency,
            reason=snapshot.reason,
            due_by=snapshot.due_by,
            open=is_open(status),
        )

    @activity.defn(name="remind_dispute")
    @reports_failures
    def remind_dispute(self, dispute_id: str) -> None:
        """The evidence is due soon and nobody closed the dispute: said loudly, and noted."""
        with transaction(self._engine) as session:
            session.execute(
                update(DISPUTES)
                .where(DISPUTES.c.dispute_id == dispute_id)
                .values(reminded_at=utcnow(), updated_at=utcnow())
            )
        activity.logger.warning("dispute %s: evidence due soon, still open", dispute_id)


DISPUTE_BOOKKEEPING = bookkeeping_retry()
RECORD_DISPUTE = ActivityCall(
    DisputeActivities.record_dispute,
    service="orders",
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=DISPUTE_BOOKKEEPING,
)
REMIND_DISPUTE = ActivityCall(
    DisputeActivities.remind_dispute,
    service="orders",
    start_to_close_timeout=timedelta(seconds=30),
    retry_policy=DISPUTE_BOOKKEEPING,
)
