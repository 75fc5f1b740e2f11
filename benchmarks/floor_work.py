"""`floor-work`: the engine floor's shape (one workflow, local activities, started eagerly in
its worker's process) running the saga's five real calls and nothing else: no undo
registered, no state kept, no events, no mail. What the engine and the work cost together;
the colocated saga against it is what the saga's own bookkeeping costs."""

from __future__ import annotations

from temporalio import workflow

# Passed through: the sandbox would import these anew for each run.
with workflow.unsafe.imports_passed_through():
    from temporalio.client import Client

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
    from activities.queues import queue
    from activities.shipment.activities import CREATE_SHIPMENT
    from activities.shipment.contracts import CreateShipmentInput
    from order_saga.client import order_result
    from workflows.order_request import OrderRequest

FLOOR_WORK_WORKFLOW = "FloorWorkOrder"


@workflow.defn(name=FLOOR_WORK_WORKFLOW)
class FloorWorkOrder:
    @workflow.run
    async def run(self, order: OrderRequest) -> str:
        info = workflow.info()
        owner = {"order_id": order.order_id, "saga_id": info.workflow_id,
                 "saga_run": info.first_execution_run_id}  # fmt: skip
        key = info.workflow_id
        reserved = await RESERVE_INVENTORY.execute(
            ReserveInventoryInput(**owner, currency=order.currency, items=order.items),
            summary="reserve",
            local=True,
        )
        money = {"amount": reserved.total, "currency": reserved.currency}
        intent = await CREATE_PAYMENT_INTENT.execute(
            CreatePaymentIntentInput(**owner, **money, customer_id=order.customer_id,
                                     payment_method=order.payment_method,
                                     idempotency_key=key, capture_method="manual"),
            summary="create the intent",
            local=True,
        )  # fmt: skip
        paid = {**owner, **money, "payment_intent_id": intent.payment_intent_id}
        await CHARGE_PAYMENT.execute(
            ChargePaymentInput(**paid, idempotency_key=key), summary="authorize", local=True
        )
        await CREATE_SHIPMENT.execute(
            CreateShipmentInput(**owner, address=order.shipping_address),
            summary="book the shipment",
            local=True,
        )
        await CAPTURE_PAYMENT.execute(
            CapturePaymentInput(**paid, idempotency_key=key), summary="capture", local=True
        )
        return "COMPLETED"


async def eager_floor_work(client: Client, order: OrderRequest, queue_prefix: str) -> str:
    """One order, started eagerly in this process's worker, waited for."""
    handle = await client.start_workflow(
        FLOOR_WORK_WORKFLOW,
        order,
        id=f"floor-work-{order.order_id}",
        task_queue=queue(queue_prefix, "orders"),
        result_type=str,
        request_eager_start=True,
    )
    await order_result(handle)
    return "COMPLETED"
