"""An operator's management of the risk rules (`order-saga risk ...`): limits, the blocklist
and the hold switch. Each change records who made it."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from sqlalchemy import delete, select
from sqlmodel import Session

from activities.risk.repository import BLOCKS, LIMITS, SWITCHES
from activities.risk.tables import HOLD_SWITCH, RiskBlock, RiskLimit, RiskSwitch
from activities.timestamps import utcnow

BlockKind = Literal["customer", "email"]


def blocked_value(kind: BlockKind, value: str) -> str:
    """How a block's value is kept and matched: an address in lower case."""
    return value.strip().lower() if kind == "email" else value.strip()


def set_limit(
    *, session: Session, customer_id: str, currency: str, amount: Decimal, window_hours: int,
    by: str,
) -> None:  # fmt: skip
    """What `customer_id` (`*`: every customer without their own) may spend in `currency`
    over the last `window_hours`."""
    row = session.get(RiskLimit, (customer_id, currency.lower()))
    if row is None:
        row = RiskLimit(customer_id=customer_id, currency=currency.lower(), amount=amount,
                        window_hours=window_hours, set_by=by)  # fmt: skip
    row.amount, row.window_hours, row.set_by, row.updated_at = amount, window_hours, by, utcnow()
    session.add(row)


def remove_limit(*, session: Session, customer_id: str, currency: str) -> bool:
    """Drop a limit; False if there was none."""
    gone = session.execute(
        delete(LIMITS).where(
            LIMITS.c.customer_id == customer_id, LIMITS.c.currency == currency.lower()
        )
    )
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def block(*, session: Session, kind: BlockKind, value: str, reason: str, by: str) -> None:
    """Decline every new order of this customer (or address) before money moves."""
    row = session.get(RiskBlock, (kind, blocked_value(kind, value)))
    if row is None:
        row = RiskBlock(kind=kind, value=blocked_value(kind, value), reason=reason, set_by=by)
    row.reason, row.set_by = reason, by
    session.add(row)


def unblock(*, session: Session, kind: BlockKind, value: str) -> bool:
    """Lift a block; False if there was none."""
    gone = session.execute(
        delete(BLOCKS).where(BLOCKS.c.kind == kind, BLOCKS.c.value == blocked_value(kind, value))
    )
    return bool(gone.rowcount)  # type: ignore[attr-defined]


def set_hold(*, session: Session, on: bool, reason: str, by: str) -> None:
    """Hold every new order for review (on), or let them through again (off)."""
    row = session.get(RiskSwitch, HOLD_SWITCH)
    if row is None:
        row = RiskSwitch(name=HOLD_SWITCH, on=on, reason=reason, set_by=by)
    row.on, row.reason, row.set_by, row.updated_at = on, reason, by, utcnow()
    session.add(row)


def rules(*, session: Session) -> dict[str, list[dict[str, object]]]:
    """Every rule, as `order-saga risk show` prints it."""
    return {
        "limits": [dict(r._mapping) for r in session.execute(select(LIMITS)).all()],
        "blocks": [dict(r._mapping) for r in session.execute(select(BLOCKS)).all()],
        "switches": [dict(r._mapping) for r in session.execute(select(SWITCHES)).all()],
    }
