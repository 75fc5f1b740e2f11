"""The audit finds what a bad run leaves behind: it is only worth trusting when it can fail."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Engine

from activities.database import transaction
from activities.payment.tables import Payment
from order_saga.audit import Outcome, audit
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import product_factory, serve_in_thread
from workflows.order_state import SagaState


def test_the_audit_names_each_broken_rule(db: Engine) -> None:
    sku = product_factory(db)(stock=8)  # 10 before the run: 2 units went missing
    twice, wrong_row, orphan, good = (f"a-{uuid.uuid4().hex[:8]}" for _ in range(4))
    with serve_in_thread(LocalStripe()) as base_url:
        client = make_stripe_client(Settings(stripe_api_base=base_url))

        def intent(order_id: str, confirm: bool = True) -> str:
            created = client.v1.payment_intents.create(
                params={
                    "amount": 1999,
                    "currency": "usd",
                    "payment_method": "pm_card_visa",
                    "metadata": {"order_id": order_id},
                }
            )
            if confirm:
                client.v1.payment_intents.confirm(created.id)
            return created.id

        intent(twice), intent(twice)
        charged = intent(wrong_row)
        intent(orphan, confirm=False)
        kept = intent(good)
        client.v1.refunds.create(params={"payment_intent": kept})
        with transaction(db) as session:
            for order_id, status, intent_id in (
                (wrong_row, "Failed", charged),  # Stripe charged it: the row must say so
                (good, "Refunded", kept),
            ):
                session.add(
                    Payment(
                        payment_id=f"pay_{uuid.uuid4().hex}",
                        order_id=order_id,
                        transaction_id=intent_id,
                        amount=Decimal("19.99"),
                        payment_method="pm_card_visa",
                        status=status,
                    )
                )
        books = audit(
            db,
            client,
            {
                twice: Outcome(SagaState.COMPLETED, Decimal("19.99")),
                wrong_row: Outcome(SagaState.COMPENSATED, Decimal("19.99")),
                orphan: Outcome(SagaState.RUNNING, Decimal("19.99")),
                good: Outcome(SagaState.COMPENSATED, Decimal("19.99")),
            },
            initial_stock={sku: 10},
        )
    assert books.charged_twice == [twice]
    assert books.money_wrong == [twice, wrong_row]
    assert wrong_row in books.rows_disagreeing and good not in books.rows_disagreeing
    assert books.orphan_intents == [orphan]
    assert books.unfinished == [orphan]
    assert books.units_leaked == {sku: 2}
    assert not books.clean


def test_a_3ds_order_abandoned_at_the_bank_held_nothing(db: Engine) -> None:
    """An intent whose confirm stopped at `requires_action` (the customer never passed the
    bank's page) held no money: cancelled, its row says Failed, and the audit agrees; a row
    calling it Voided would tell a release of money that was never held."""
    abandoned, misnamed = (f"a-{uuid.uuid4().hex[:8]}" for _ in range(2))
    with serve_in_thread(LocalStripe()) as base_url:
        client = make_stripe_client(Settings(stripe_api_base=base_url))
        for order_id, row_status in ((abandoned, "Failed"), (misnamed, "Voided")):
            created = client.v1.payment_intents.create(
                params={
                    "amount": 1999,
                    "currency": "usd",
                    "payment_method": "pm_card_threeDSecure2Required",
                    "capture_method": "manual",
                    "metadata": {"order_id": order_id},
                }
            )
            asked = client.v1.payment_intents.confirm(created.id)
            assert (asked.status, asked.latest_charge) == ("requires_action", None)
            client.v1.payment_intents.cancel(created.id)
            with transaction(db) as session:
                session.add(
                    Payment(
                        payment_id=f"pay_{uuid.uuid4().hex}",
                        order_id=order_id,
                        transaction_id=created.id,
                        amount=Decimal("19.99"),
                        payment_method="pm_card_threeDSecure2Required",
                        status=row_status,
                    )
                )
        books = audit(
            db,
            client,
            {o: Outcome(SagaState.CANCELLED, Decimal("19.99")) for o in (abandoned, misnamed)},
        )
    assert books.rows_disagreeing == [misnamed]
    assert books.money_wrong == [] and books.holds_left == []
