"""The books after a run: does every order's money, stock and shipment come out right, and
does every payments row agree with Stripe? Tests and the chaos benchmark share it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import stripe
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from activities.inventory.tables import (
    InventoryReservation,
    Product,
    ReservationStatus,
    WarehouseStock,
)
from activities.money import to_minor_units
from activities.payment.rules import REFUND_GOING_THROUGH
from activities.payment.tables import Payment, PaymentStatus
from activities.shipment.tables import Shipment, ShipmentStatus
from order_saga.audit_returns import returned_and_restocked, stock_key
from workflows.order_state import SHIPPED_STATES, SagaState

# What a payments row must say for each state of its PaymentIntent.
ROW_FOR_INTENT = {
    "succeeded": PaymentStatus.CAPTURED,
    "requires_capture": PaymentStatus.AUTHORIZED,
    "canceled": PaymentStatus.FAILED,  # VOIDED when it had been authorized (`_was_authorized`)
    "requires_payment_method": PaymentStatus.FAILED,  # declined
    "requires_confirmation": PaymentStatus.PENDING,
}


@dataclass(frozen=True)
class Outcome:
    """How a saga ended, as its result says."""

    state: SagaState
    total: Decimal
    currency: str = "usd"


@dataclass
class Audit:
    """Each list names the orders (or SKUs) that break one rule; all empty is a clean run."""

    charged_twice: list[str] = field(default_factory=list)
    money_wrong: list[str] = field(default_factory=list)
    units_leaked: dict[str, int] = field(default_factory=dict)
    live_shipment_not_completed: list[str] = field(default_factory=list)
    rows_disagreeing: list[str] = field(default_factory=list)
    orphan_intents: list[str] = field(default_factory=list)
    # An authorization still held after the order ended: money blocked on a card for days.
    holds_left: list[str] = field(default_factory=list)
    unfinished: list[str] = field(default_factory=list)
    # Refunds beyond what was captured (returns racing, a refund retried twice).
    over_refunded: list[str] = field(default_factory=list)
    # For a person, listed apart: an undo that failed, and a saga an operator terminated
    # (terminate undoes nothing, so what it reserved, charged or booked is still there).
    compensation_failed: list[str] = field(default_factory=list)
    terminated: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing wrong (orders waiting for a person are not wrong)."""
        problems = dict(vars(self))
        problems.pop("compensation_failed")
        problems.pop("terminated")
        return not any(problems.values())

    @property
    def needs_person(self) -> list[str]:
        """Orders a person must settle."""
        return self.compensation_failed + self.terminated


def audit(
    engine: Engine,
    client: stripe.StripeClient,
    outcomes: Mapping[str, Outcome],
    initial_stock: Mapping[str, int] | None = None,
) -> Audit:
    """Check every order of `outcomes` against Stripe and the database."""
    report = Audit()
    intents: dict[str, list[stripe.PaymentIntent]] = defaultdict(list)
    for intent in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter():
        order_id = str(intent.metadata["order_id"]) if "order_id" in intent.metadata else ""
        if order_id in outcomes:
            intents[order_id].append(intent)
    refunded: dict[str, int] = defaultdict(int)
    for refund in client.v1.refunds.list(params={"limit": 100}).auto_paging_iter():
        if refund.status in REFUND_GOING_THROUGH and isinstance(refund.payment_intent, str):
            refunded[refund.payment_intent] += refund.amount
    with Session(engine) as session:
        orders = list(outcomes)
        rows = {
            p.order_id: p
            for p in session.exec(select(Payment).where(col(Payment.order_id).in_(orders)))
        }
        live_parcels = {  # an order's parcels the carrier still has booked
            s.order_id
            for s in session.exec(select(Shipment).where(col(Shipment.order_id).in_(orders)))
            if s.status == ShipmentStatus.CREATED
        }
        held = _units_held(session, outcomes)
        stock = {p.sku: p.stock for p in session.exec(select(Product)).all()}
        for row in session.exec(select(WarehouseStock)).all():
            stock[stock_key(row.sku, row.warehouse)] = row.stock
        returned, restocked = returned_and_restocked(session, orders)
    for order_id, outcome in outcomes.items():
        if outcome.state == SagaState.TERMINATED:
            report.terminated.append(order_id)  # its effects stand until a person settles it
            continue
        if outcome.state == SagaState.COMPENSATION_FAILED:
            report.compensation_failed.append(order_id)
        elif outcome.state not in (*SHIPPED_STATES, SagaState.COMPENSATED, SagaState.CANCELLED):
            report.unfinished.append(order_id)
        succeeded = [i for i in intents[order_id] if i.status == "succeeded"]
        if len(succeeded) > 1:
            report.charged_twice.append(order_id)
        # What was taken: less than the authorization for an order amended to fewer units.
        kept = sum((i.amount_received or 0) - refunded[i.id] for i in succeeded)
        if any(refunded[i.id] > (i.amount_received or 0) for i in succeeded):
            report.over_refunded.append(order_id)
        owed = to_minor_units(outcome.total, outcome.currency) - returned.get(order_id, 0)
        expected = owed if outcome.state in SHIPPED_STATES else 0  # for what shipped
        if kept != expected and outcome.state != SagaState.COMPENSATION_FAILED:
            report.money_wrong.append(order_id)
        if order_id in live_parcels and outcome.state not in SHIPPED_STATES:
            report.live_shipment_not_completed.append(order_id)
        if any(i.status == "requires_confirmation" for i in intents[order_id]):
            report.orphan_intents.append(order_id)
        ended = outcome.state in (*SHIPPED_STATES, SagaState.COMPENSATED, SagaState.CANCELLED)
        if ended and any(i.status == "requires_capture" for i in intents[order_id]):
            report.holds_left.append(order_id)
        if not _row_agrees(rows.get(order_id), intents[order_id], refunded):
            report.rows_disagreeing.append(order_id)
    for key, before in (initial_stock or {}).items():  # per SKU and warehouse (`stock_key`)
        # Shipped units are held by their orders, less those a return put back on the shelf.
        leaked = before - stock.get(key, 0) - held.get(key, 0) + restocked.get(key, 0)
        if leaked:
            report.units_leaked[key] = leaked
    return report


def _row_agrees(
    row: Payment | None, intents: list[stripe.PaymentIntent], refunded: Mapping[str, int]
) -> bool:
    """The row names the order's intent and says what Stripe says of it."""
    if not intents:
        return row is None or row.transaction_id is None
    if row is None or row.transaction_id not in {i.id for i in intents}:
        return False
    intent = next(i for i in intents if i.id == row.transaction_id)
    expected = ROW_FOR_INTENT.get(intent.status)
    if intent.status == "succeeded" and refunded.get(intent.id, 0) >= intent.amount_received:
        expected = PaymentStatus.REFUNDED
    if intent.status == "canceled" and _was_authorized(intent):
        expected = PaymentStatus.VOIDED
    return row.status == expected


def _was_authorized(intent: stripe.PaymentIntent) -> bool:
    """A confirm that went through (a charge, and no payment error) on an intent canceled
    since: an authorization voided, or let lapse, never a decline."""
    return bool(intent.latest_charge) and not intent.last_payment_error


def _units_held(session: Session, outcomes: Mapping[str, Outcome]) -> dict[str, int]:
    """Units reserved (not released) by orders that shipped, per SKU and warehouse."""
    completed = [o for o, outcome in outcomes.items() if outcome.state in SHIPPED_STATES]
    held: dict[str, int] = defaultdict(int)
    query = select(InventoryReservation).where(
        col(InventoryReservation.order_id).in_(completed),
        InventoryReservation.status == ReservationStatus.RESERVED,
    )
    for row in session.exec(query).all():
        held[stock_key(row.sku, row.warehouse)] += row.quantity
    return held
