"""The floor of a checkout that answers at once: a workflow of one task whose update returns
as soon as it arrives, started with it (Update-with-Start). Nothing the saga does can make
its first answer come sooner than this engine round trip."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

FLOOR_WORKFLOW = "CheckoutFloor"


@workflow.defn(name=FLOOR_WORKFLOW)
class CheckoutFloor:
    def __init__(self) -> None:
        self._answered = False

    @workflow.run
    async def run(self) -> str:
        await workflow.wait_condition(lambda: self._answered)
        return "done"

    @workflow.update(name="answer")
    def answer(self) -> str:
        self._answered = True
        return "answered"


async def floor_checkout(client: Client, task_queue: str, workflow_id: str) -> Any:
    """Start the floor workflow with its update, and wait for the update's answer."""
    start: WithStartWorkflowOperation[Any, str] = WithStartWorkflowOperation(
        FLOOR_WORKFLOW,
        id=workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    return await client.execute_update_with_start_workflow("answer", start_workflow_operation=start)
