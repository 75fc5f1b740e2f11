"""An operator resets a completed order's saga (the Web UI's Reset, `temporal workflow
reset`): the run replays and goes on past its mail again, and the customer is not mailed a
second time. Real dev server (the time-skipping one has no reset), real SMTP server."""

from __future__ import annotations

import uuid

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest

from order_saga.client import order_result
from order_saga.temporal import connect
from tests.helpers import order
from tests.workflows.test_customer_mail import mail_run, mailbox, with_email
from workflows.order_state import OrderResult, SagaState

__all__ = ["mail_run", "mailbox"]  # the fixtures: a worker whose mails reach a real SMTP server


async def test_a_reset_of_a_completed_order_mails_the_customer_once(
    dev_server, mail_run, mailbox, make_product
) -> None:
    client = await connect(dev_server)
    request = with_email(order((make_product(), 1, "19.99")))
    async with mail_run(client=client) as run:
        handle = await run.start(request)
        assert (await order_result(handle)).status == SagaState.COMPLETED
        await run.mail_sent(request, "confirmed")
        tasks = [
            event.event_id
            async for event in handle.fetch_history_events()
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
        ]
        reset = await client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=handle.id),
                reason="the test resets a completed order",
                workflow_task_finish_event_id=tasks[0],  # back to its start
                request_id=str(uuid.uuid4()),
            )
        )
        again = client.get_workflow_handle(handle.id, run_id=reset.run_id, result_type=OrderResult)
        assert (await order_result(again)).status == SagaState.COMPLETED

    assert len(mailbox[0].messages()) == 1
