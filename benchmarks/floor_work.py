"""`floor-work`: the engine floor's shape (one workflow, local activities, started eagerly in
its worker's process) running the saga's six real calls and nothing else: no undo
registered, no state kept, no events, no mail. What the engine and the work cost together;
the colocated saga against it is what the saga's own bookkeeping costs."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

# Passed through: the sandbox would import these anew for each run.
with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RESERVE_INVENTORY
    from activities.payment.activities import (
        CAPTURE_PAYMENT,
        CHARGE_PAYMENT,
        CREATE_PAYMENT_INTENT,
    )
    from activities.risk.activities import ASSESS_RISK
    from activities.shipment.activities import CREATE_SHIPMENT
    from benchmarks.order_work import saga_calls
    from workflows.order_request import OrderRequest

FLOOR_WORK_WORKFLOW = "FloorWorkOrder"


LOCAL_CALLS = {
    call.name: call
    for call in (
        RESERVE_INVENTORY,
        ASSESS_RISK,
        CREATE_PAYMENT_INTENT,
        CHARGE_PAYMENT,
        CREATE_SHIPMENT,
        CAPTURE_PAYMENT,
    )
}


async def run_locally(order: OrderRequest, name: str, arg: Any) -> Any:
    """One of the saga's calls, as a local activity of this workflow."""
    return await LOCAL_CALLS[name].execute(arg, summary=name, local=True)


def this_run(order: OrderRequest) -> dict[str, Any]:
    """The owner the saga's calls carry: the order, this workflow and its run chain."""
    info = workflow.info()
    return {"order_id": order.order_id, "saga_id": info.workflow_id,
            "saga_run": info.first_execution_run_id}  # fmt: skip


@workflow.defn(name=FLOOR_WORK_WORKFLOW)
class FloorWorkOrder:
    @workflow.run
    async def run(self, order: OrderRequest) -> str:
        return await saga_calls(order, run_locally, this_run(order))
