"""The payment's forward step: create the intent (no money moves), then confirm it (the
bank holds the money), and wait, durably, for the customer's 3-D Secure when the bank asks.
The intent's undo is registered before each call: a void detached until the confirm is sent,
then a void (or a refund once captured) like any other undo."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory.contracts import ReservationResult
    from activities.payment.activities import CHARGE_PAYMENT, CHECK_CHARGE, CREATE_PAYMENT_INTENT
    from activities.payment.contracts import (
        ChargePaymentInput,
        ChargeResult,
        CreatePaymentIntentInput,
        RefundPaymentInput,
    )
    from workflows.order_mails import authentication_mail
    from workflows.order_outbox import OrderOutbox
    from workflows.order_progress import OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import SagaState
    from workflows.order_steps import OrderSteps

# A lost webhook delays an order by at most this: the saga reads the intent again.
AUTHENTICATION_RECHECK = timedelta(minutes=1)


async def authorize(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    reservation: ReservationResult,
    owner: dict[str, str],
    outbox: OrderOutbox,
    *,
    multicapture: bool = False,
) -> ChargeResult:
    """Hold the order's total on the card: authorized (captured at pickup; a parcel at a
    time with `multicapture`), or a decline that fails the step. Two activities, so the
    PaymentIntent id is in the history before money moves."""
    key = workflow.info().workflow_id  # one saga per order, so one key per order
    money = f"{reservation.total} {reservation.currency.upper()}"
    create = CreatePaymentIntentInput(
        **owner,
        customer_id=order.customer_id,
        amount=reservation.total,
        currency=reservation.currency,
        payment_method=order.payment_method,
        idempotency_key=key,
        capture_method="manual",
        multicapture=multicapture,
    )
    # With the create request, the refund finds an intent whose every answer was lost.
    refund = RefundPaymentInput(**owner, idempotency_key=key, create=create)
    # Until the confirm is sent no money can move: the intent's void runs detached, so a
    # gateway outage cannot hold the stock's release or the order's end behind it.
    steps.undo_detached("charge_payment", refund, f"void the payment intent ({money})")
    progress.set_state(SagaState.RUNNING, f"authorizing {money}")
    intent = await steps.run(
        "charge_payment",
        CREATE_PAYMENT_INTENT,
        create,
        f"create payment intent {money}",
        last=False,
    )
    refund = refund.model_copy(update={"payment_intent_id": intent.payment_intent_id})
    # From the confirm on, money may be held or taken: its undo is like any other.
    steps.undo_payment("charge_payment", refund, money)
    check = ChargePaymentInput(
        **owner,
        payment_intent_id=intent.payment_intent_id,
        amount=reservation.total,
        currency=reservation.currency,
        idempotency_key=key,
    )
    charge = await steps.run("charge_payment", CHARGE_PAYMENT, check, f"authorize {money}")
    if charge.authentication_url is not None:  # the bank asks the customer first (3-D Secure)
        charge = await authenticated(steps, progress, order, check, charge, money, outbox)
    if steps.local and progress.checkouts:
        # Colocated, this workflow task would go on to book the shipment (and capture, at an
        # immediate pickup) before a waiting checkout's answer leaves with its completion: a
        # timer of a millisecond ends the task here. Only an order with a checkout waits.
        await workflow.sleep(timedelta(milliseconds=1), summary="answer the checkout")
    return charge


async def authenticated(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    check: ChargePaymentInput,
    charge: ChargeResult,
    money: str,
    outbox: OrderOutbox,
) -> ChargeResult:
    """Wait, durably, for the customer's 3-D Secure: `AWAITING_AUTHENTICATION` with the page
    to send them to. A webhook (the `payment_event` signal) wakes the wait at once; without
    one (webhooks get lost) the saga reads the intent again every `AUTHENTICATION_RECHECK`.
    A failed authentication is a decline; none within the order's time is
    `AuthenticationTimedOut`. Either way the undo cancels the intent."""
    progress.await_authentication(charge.authentication_url, money)
    if order.customer_email is not None and charge.authentication_url is not None:
        await outbox.tell(authentication_mail(order, charge.authentication_url, charge.amount))
    limit = timedelta(seconds=order.authentication_timeout_seconds)
    give_up = workflow.now() + limit
    while charge.authentication_url is not None:
        left = give_up - workflow.now()
        if left <= timedelta(0):
            raise progress.step_gave_up(
                "charge_payment",
                "AuthenticationTimedOut",
                f"the customer did not authenticate {money} within {limit.total_seconds():.0f} s",
            )

        def woken(heard: int = progress.payment_events) -> bool:
            return progress.payment_events != heard

        with contextlib.suppress(TimeoutError):
            await workflow.wait_condition(
                woken,
                timeout=min(left, AUTHENTICATION_RECHECK),
                timeout_summary="read the payment again",
            )
        charge = await steps.run(
            "charge_payment", CHECK_CHARGE, check, "read the authentication's outcome", last=False
        )
    progress.authenticated()
    return charge
