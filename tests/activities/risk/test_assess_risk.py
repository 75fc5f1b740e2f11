"""The risk check before money, on both databases: a blocked customer or address is declined,
an order over its customer's rolling limit (or any order while the hold switch is on) is held
for review, and a re-run reads its verdict back whatever the rules say since."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import Engine, delete
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.database import transaction
from activities.payment.tables import Payment, PaymentStatus
from activities.risk import admin
from activities.risk.activities import RiskActivities
from activities.risk.contracts import AssessRiskInput, RiskAssessed
from activities.risk.repository import SWITCHES


def assess(db: Engine, customer: str, amount: str, *, email: str | None = None,
           order_id: str | None = None) -> RiskAssessed:  # fmt: skip
    request = AssessRiskInput(
        order_id=order_id or f"t-{uuid.uuid4().hex[:12]}",
        saga_id="order-x",
        customer_id=customer,
        customer_email=email,
        amount=Decimal(amount),
        currency="usd",
    )
    result: RiskAssessed = ActivityEnvironment().run(RiskActivities(db).assess_risk, request)
    return result


def customer() -> str:
    return f"cust-{uuid.uuid4().hex[:8]}"


def paid(db: Engine, order_id: str, amount: str, status: PaymentStatus) -> None:
    """The order's payment row, as the payment service leaves it."""
    with transaction(db) as session:
        row = Payment(payment_id=f"pay-{order_id}", order_id=order_id, amount=Decimal(amount),
                      payment_method="pm", status=status)  # fmt: skip
        session.add(row)


def test_an_order_with_no_rule_against_it_passes(db: Engine) -> None:
    assert assess(db, customer(), "19.99").verdict == "pass"


def test_a_blocked_customer_or_address_is_declined_with_the_reason(db: Engine) -> None:
    blocked, by_mail = customer(), customer()
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    with transaction(db) as session:
        admin.block(session=session, kind="customer", value=blocked, reason="chargebacks", by="op")
        admin.block(session=session, kind="email", value=address.upper(), reason="bot", by="op")

    with pytest.raises(ApplicationError, match="customer id is on the blocklist") as declined:
        assess(db, blocked, "5.00")
    with pytest.raises(ApplicationError, match="e-mail address is on the blocklist") as by_address:
        assess(db, by_mail, "5.00", email=address)

    assert declined.value.type == "RiskBlocked" and declined.value.non_retryable
    # Neither the address nor the operator's note shows where the customer may read it.
    assert address not in str(by_address.value) and "chargebacks" not in str(declined.value)


def test_a_limit_holds_the_order_that_would_pass_it_counting_only_money_held(db: Engine) -> None:
    buyer = customer()
    with transaction(db) as session:
        admin.set_limit(session=session, customer_id=buyer, currency="usd",
                        amount=Decimal("100"), window_hours=24, by="op")  # fmt: skip
    first, held_order = f"t-{uuid.uuid4().hex[:12]}", f"t-{uuid.uuid4().hex[:12]}"
    assert assess(db, buyer, "60.00", order_id=first).verdict == "pass"
    assert assess(db, buyer, "60.00", order_id=held_order).verdict == "review"  # 120 > 100
    paid(db, first, "60.00", PaymentStatus.VOIDED)  # the first one's hold was released

    again = assess(db, buyer, "60.00")  # the second was held, so it counts for nothing

    assert again.verdict == "pass"
    paid(db, held_order, "60.00", PaymentStatus.CAPTURED)  # approved later: it took money
    over = assess(db, buyer, "50.00")
    assert over.verdict == "review"  # 60 passed + 60 approved and captured + 50
    assert "over the limit of 100" in over.reasons[0]


def test_every_customer_s_limit_applies_unless_one_has_their_own(db: Engine) -> None:
    own = customer()
    with transaction(db) as session:
        admin.set_limit(session=session, customer_id="*", currency="usd",
                        amount=Decimal("1000000"), window_hours=1, by="op")  # fmt: skip
        admin.set_limit(session=session, customer_id=own, currency="usd",
                        amount=Decimal("10"), window_hours=1, by="op")  # fmt: skip
    try:
        assert assess(db, customer(), "500.00").verdict == "pass"
        assert assess(db, own, "11.00").verdict == "review"
    finally:
        with transaction(db) as session:
            admin.remove_limit(session=session, customer_id="*", currency="usd")


def test_the_hold_switch_holds_every_new_order_and_a_rerun_keeps_its_verdict(db: Engine) -> None:
    order_id = f"t-{uuid.uuid4().hex[:12]}"
    with transaction(db) as session:
        admin.set_hold(session=session, on=True, reason="fraud wave", by="op")
    try:
        held = assess(db, customer(), "5.00", order_id=order_id)
    finally:
        with transaction(db) as session:
            admin.set_hold(session=session, on=False, reason="", by="op")

    assert (held.verdict, held.reasons) == (
        "review",
        ["new orders are held for review (the hold switch is on)"],
    )
    assert held.review_within_seconds == 4 * 3600
    assert assess(db, customer(), "5.00").verdict == "pass"  # switched off
    assert assess(db, "someone", "5.00", order_id=order_id).verdict == "review"  # read back
    with transaction(db) as session:
        session.execute(delete(SWITCHES))


def test_two_orders_racing_cannot_both_pass_a_limit_only_one_fits(db: Engine) -> None:
    buyer = customer()
    with transaction(db) as session:
        admin.set_limit(session=session, customer_id=buyer, currency="usd",
                        amount=Decimal("100"), window_hours=24, by="op")  # fmt: skip

    with ThreadPoolExecutor(8) as pool:
        verdicts = list(pool.map(lambda _: assess(db, buyer, "60.00").verdict, range(8)))

    assert sorted(verdicts) == ["pass"] + ["review"] * 7
