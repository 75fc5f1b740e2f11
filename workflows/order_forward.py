"""The order saga's forward path: reserve, authorize, ship, wait for pickup, capture. Each
undo is registered before its step, so the saga can undo whatever ran."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RELEASE_INVENTORY, RESERVE_INVENTORY
    from activities.inventory.contracts import ReleaseInventoryInput, ReserveInventoryInput
    from activities.payment.activities import (
        CAPTURE_PAYMENT,
        CHARGE_PAYMENT,
        CHECK_CHARGE,
        CREATE_PAYMENT_INTENT,
    )
    from activities.payment.contracts import (
        CapturePaymentInput,
        ChargePaymentInput,
        ChargeResult,
        CreatePaymentIntentInput,
        RefundPaymentInput,
    )
    from activities.shipment.activities import CANCEL_SHIPMENT, CREATE_SHIPMENT
    from activities.shipment.contracts import (
        CancelShipmentInput,
        CreateShipmentInput,
        ShipmentResult,
    )
    from workflows.customer_mail import tell_customer
    from workflows.order_event_stream import OrderEventStream
    from workflows.order_mails import authentication_mail
    from workflows.order_progress import FEWER_UPSERTS, OrderProgress
    from workflows.order_request import OrderRequest
    from workflows.order_state import OrderResult, SagaState
    from workflows.order_steps import OrderSteps

# A lost webhook delays an order by at most this: the saga reads the intent again.
AUTHENTICATION_RECHECK = timedelta(minutes=1)

# The confirm only authorizes (the bank holds the money) and the saga captures as the
# carrier picks the parcel up. No patch is needed: what the charge returned, kept in the
# history, decides whether a capture follows, so runs that charged at once (before this, or
# whose intent was created before the deploy) replay and end as they began.


async def run_forward(
    steps: OrderSteps, progress: OrderProgress, order: OrderRequest, events: OrderEventStream
) -> OrderResult:
    """The business process. Each undo is registered before its step runs: a step that
    timed out after taking effect is still undone, and every undo is idempotent."""
    key = workflow.info().workflow_id  # one saga per order, so one key per order
    # Every row a call writes records this run chain; a call never touches another chain's.
    info = workflow.info()
    owner = {
        "order_id": order.order_id,
        "saga_id": info.workflow_id,
        "saga_run": info.first_execution_run_id,
    }
    count = sum(item.quantity for item in order.items)
    units = f"{count} unit{'s' if count != 1 else ''}"
    release = ReleaseInventoryInput(**owner, skus=[i.sku for i in order.items])
    steps.undo_with("reserve_inventory", RELEASE_INVENTORY, release, f"release {units}")
    reservation = await steps.run(
        "reserve_inventory",
        RESERVE_INVENTORY,
        ReserveInventoryInput(**owner, currency=order.currency, items=order.items),
        f"reserve {units}",
        deadline=order.step_deadline,
    )

    money = f"{reservation.total} {reservation.currency.upper()}"
    await events.emit(
        "order.started",
        customer_id=order.customer_id,
        total=str(reservation.total),
        currency=reservation.currency,
        lines=[line.model_dump(mode="json") for line in reservation.lines],
    )
    create = CreatePaymentIntentInput(
        **owner,
        customer_id=order.customer_id,
        amount=reservation.total,
        currency=reservation.currency,
        payment_method=order.payment_method,
        idempotency_key=key,
        capture_method="manual",
    )
    # With the create request, the refund finds an intent whose every answer was lost.
    refund = RefundPaymentInput(**owner, idempotency_key=key, create=create)
    # Until the confirm is sent no money can move: the intent's void runs detached, so a
    # gateway outage cannot hold the stock's release or the order's end behind it.
    steps.undo_detached("charge_payment", refund, f"void the payment intent ({money})")
    progress.set_state(SagaState.RUNNING, f"authorizing {money}")
    # Two activities, so the PaymentIntent id is in the history before money moves.
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
        charge = await authenticated(steps, progress, order, check, charge, money)
    await events.emit(
        "payment.authorized",
        amount=str(charge.amount),
        currency=charge.currency,
        payment_intent_id=charge.payment_intent_id,
        captured=not charge.authorized_only,
    )

    address = order.shipping_address
    cancel = CancelShipmentInput(**owner)
    steps.undo_with("create_shipment", CANCEL_SHIPMENT, cancel, "cancel shipment")
    destination = address.country  # summaries and details show no address: the country only
    progress.set_state(SagaState.RUNNING, f"booking shipment to {destination}")
    shipment = await steps.run(
        "create_shipment",
        CREATE_SHIPMENT,
        CreateShipmentInput(**owner, address=address),
        f"ship to {destination}",
        deadline=order.step_deadline,
    )

    pickup = timedelta(seconds=order.handover_delay_seconds)
    if pickup or not workflow.patched(FEWER_UPSERTS):
        progress.set_state(
            SagaState.AWAITING_HANDOVER,
            f"{shipment.carrier} {shipment.tracking_number} picks up at {pickup_at(pickup)}; "
            "cancel is still possible until then",
        )
    if charge.authorized_only:
        await capture_at_pickup(steps, progress, order, charge, shipment, owner, money)
    elif pickup:
        await workflow.sleep(pickup, summary="wait for carrier pickup")
    return OrderResult(
        order_id=order.order_id,
        status=SagaState.COMPLETED,
        total=reservation.total,
        currency=reservation.currency,
        payment_id=charge.payment_id,
        payment_intent_id=charge.payment_intent_id,
        shipment_id=shipment.shipment_id,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        payment=progress.payment,  # captured at pickup (or at the end of its window)
    )


def pickup_at(wait: timedelta) -> str:
    """When the carrier comes, as an absolute time a person can read later."""
    return (workflow.now() + wait).strftime("%Y-%m-%d %H:%M:%S UTC")


async def capture_at_pickup(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    charge: ChargeResult,
    shipment: ShipmentResult,
    owner: dict[str, str],
    money: str,
) -> None:
    """Wait for the carrier, then take the authorized money. A pickup later than the capture
    window captures at the window's end, while the authorization surely holds; a cancel
    after that refunds. A capture that fails for good fails the step: the order is undone."""
    pickup = timedelta(seconds=order.handover_delay_seconds)
    window = timedelta(seconds=order.capture_window_seconds)
    first = min(pickup, window)
    if first:
        summary = "wait for carrier pickup" if first == pickup else "capture window"
        await workflow.sleep(first, summary=summary)
    await steps.run(
        "capture_payment",
        CAPTURE_PAYMENT,
        CapturePaymentInput(
            **owner,
            payment_intent_id=charge.payment_intent_id,
            amount=charge.amount,
            currency=charge.currency,
            idempotency_key=workflow.info().workflow_id,
        ),
        f"capture {money}",
    )
    if pickup > first:
        progress.set_state(
            SagaState.AWAITING_HANDOVER,
            f"captured {money} before the authorization could expire; {shipment.carrier} "
            f"{shipment.tracking_number} picks up at {pickup_at(pickup - first)}; a cancel "
            "until then refunds",
        )
        await workflow.sleep(pickup - first, summary="wait for carrier pickup")


async def authenticated(
    steps: OrderSteps,
    progress: OrderProgress,
    order: OrderRequest,
    check: ChargePaymentInput,
    charge: ChargeResult,
    money: str,
) -> ChargeResult:
    """Wait, durably, for the customer's 3-D Secure: `AWAITING_AUTHENTICATION` with the page
    to send them to. A webhook (the `payment_event` signal) wakes the wait at once; without
    one (webhooks get lost) the saga reads the intent again every `AUTHENTICATION_RECHECK`.
    A failed authentication is a decline; none within the order's time is
    `AuthenticationTimedOut`. Either way the undo cancels the intent."""
    progress.await_authentication(charge.authentication_url, money)
    if order.customer_email is not None and charge.authentication_url is not None:
        await tell_customer(authentication_mail(order, charge.authentication_url, charge.amount))
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
