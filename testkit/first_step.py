"""How long each order waited from its saga's start to its first step (its stock reserved):
what worker kills and queueing cost an order before anything happened to it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session
from temporalio.client import WorkflowHandle

from activities.inventory.tables import InventoryReservation
from testkit.chaos_kit import retrying
from workflows.order_request import OrderRequest


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def waits_to_first_step(
    engine: Engine, orders: Sequence[OrderRequest], handles: Sequence[WorkflowHandle[Any, Any]]
) -> list[float]:
    """Seconds from each saga's start to its first reservation row, sorted; orders that
    reserved nothing (refused before) are left out."""
    started: dict[str, datetime] = {}
    for order, handle in zip(orders, handles, strict=True):
        description = await retrying(handle.describe)
        started[order.order_id] = description.start_time
    table = InventoryReservation.__table__  # type: ignore[attr-defined]
    query = select(table.c.order_id, func.min(table.c.created_at)).group_by(table.c.order_id)
    with Session(engine) as session:
        reserved = {order_id: _utc(at) for order_id, at in session.execute(query)}
    return sorted(
        (reserved[o] - began).total_seconds() for o, began in started.items() if o in reserved
    )


def spread(seconds: Sequence[float]) -> str:
    """p50, p99 and the longest, as the run prints them."""
    if not seconds:
        return "none"
    p50, p99 = seconds[len(seconds) // 2], seconds[min(len(seconds) - 1, int(0.99 * len(seconds)))]
    return f"p50 {p50:.1f} s, p99 {p99:.1f} s, max {seconds[-1]:.1f} s"
