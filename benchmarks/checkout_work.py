"""The floor with the work: the engine floor's shape (one workflow, local activities, its
update answered as soon as it can be) running the saga's own calls up to the payment's answer,
reserve, create the intent, confirm it, against the same database and Stripe server, and
nothing else (no undo registered, no state kept, no events). What the engine and the work
cost together: the saga's checkout against it is what the saga itself adds."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

# Everything but the workflow passed through: the sandbox imports this module anew for each
# run, and a library imported inside it (sqlalchemy, the Stripe SDK) would cost every run.
with workflow.unsafe.imports_passed_through():
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import Engine
    from temporalio.client import Client, WithStartWorkflowOperation
    from temporalio.common import WorkflowIDConflictPolicy
    from temporalio.worker import Worker

    from benchmarks.checkout_floor import CheckoutFloor
    from benchmarks.floor_work import run_locally, this_run
    from benchmarks.order_work import authorize
    from order_saga.service_wiring import service_activities
    from order_saga.settings import Settings
    from order_saga.worker_options import MAX_CONCURRENT_ACTIVITIES, workflow_worker
    from workflows.order_request import OrderRequest

WORK_WORKFLOW = "CheckoutFloorWork"


@workflow.defn(name=WORK_WORKFLOW)
class CheckoutFloorWork:
    def __init__(self) -> None:
        self._answered = False

    @workflow.run
    async def run(self, order: OrderRequest) -> str:
        await authorize(order, run_locally, this_run(order))
        self._answered = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return "authorized"

    @workflow.update(name="answer")
    async def answer(self) -> str:
        await workflow.wait_condition(lambda: self._answered)
        return "authorized"


def work_worker(client: Client, settings: Settings, engine: Engine) -> Worker:
    """A worker of the floor-with-work workflow and of the floor's (the queue prefix's
    `-floor`), the steps wired as the saga's worker wires them, run locally."""
    steps = [
        step
        for service in ("inventory", "payment")
        for step in service_activities(service, client=client, settings=settings, engine=engine)
    ]
    return workflow_worker(
        client,
        f"{settings.queue_prefix}-floor",
        [CheckoutFloorWork, CheckoutFloor],
        placement="colocated",
        local_activities=steps,
        executor=ThreadPoolExecutor(MAX_CONCURRENT_ACTIVITIES),
    )


async def work_checkout(client: Client, task_queue: str, order: OrderRequest) -> Any:
    """Start it with its update, and wait for the update's answer (the payment's)."""
    start: WithStartWorkflowOperation[Any, str] = WithStartWorkflowOperation(
        WORK_WORKFLOW,
        order,
        id=f"work-{order.order_id}",
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return await client.execute_update_with_start_workflow("answer", start_workflow_operation=start)
