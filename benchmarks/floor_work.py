"""`floor-work`: the engine floor's shape (one workflow, local activities, started eagerly in
its worker's process) running the saga's five real calls and nothing else: no undo
registered, no state kept, no events, no mail. What the engine and the work cost together;
the colocated saga against it is what the saga's own bookkeeping costs."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

# Passed through: the sandbox would import these anew for each run.
with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RESERVE_INVENTORY
    from activities.inventory.contracts import ReserveInventoryInput
    from activities.payment.activities import (
        CAPTURE_PAYMENT,
        CHARGE_PAYMENT,
        CREATE_PAYMENT_INTENT,
    )
    from activities.payment.contracts import (
        CapturePaymentInput,
        ChargePaymentInput,
        CreatePaymentIntentInput,
    )
    from activities.shipment.activities import CREATE_SHIPMENT
    from activities.shipment.contracts import CreateShipmentInput
    from workflows.order_request import OrderRequest

FLOOR_WORK_WORKFLOW = "FloorWorkOrder"


async def authorize_locally(order: OrderRequest) -> dict[str, Any]:
    """Reserve, create the intent and confirm it as local activities, as the colocated saga
    does before its payment has an answer; what the later calls need of it (the order, the
    run, the money, the intent)."""
    info = workflow.info()
    owner = {"order_id": order.order_id, "saga_id": info.workflow_id,
             "saga_run": info.first_execution_run_id}  # fmt: skip
    reserved = await RESERVE_INVENTORY.execute(
        ReserveInventoryInput(**owner, currency=order.currency, items=order.items),
        summary="reserve",
        local=True,
    )
    money = {"amount": reserved.total, "currency": reserved.currency}
    intent = await CREATE_PAYMENT_INTENT.execute(
        CreatePaymentIntentInput(**owner, **money, customer_id=order.customer_id,
                                 payment_method=order.payment_method,
                                 idempotency_key=info.workflow_id, capture_method="manual"),
        summary="create the intent",
        local=True,
    )  # fmt: skip
    paid = {**owner, **money, "payment_intent_id": intent.payment_intent_id}
    await CHARGE_PAYMENT.execute(
        ChargePaymentInput(**paid, idempotency_key=info.workflow_id),
        summary="authorize",
        local=True,
    )
    return paid


@workflow.defn(name=FLOOR_WORK_WORKFLOW)
class FloorWorkOrder:
    @workflow.run
    async def run(self, order: OrderRequest) -> str:
        paid = await authorize_locally(order)
        owner = {key: paid[key] for key in ("order_id", "saga_id", "saga_run")}
        await CREATE_SHIPMENT.execute(
            CreateShipmentInput(**owner, address=order.shipping_address),
            summary="book the shipment",
            local=True,
        )
        await CAPTURE_PAYMENT.execute(
            CapturePaymentInput(**paid, idempotency_key=workflow.info().workflow_id),
            summary="capture",
            local=True,
        )
        return "COMPLETED"
