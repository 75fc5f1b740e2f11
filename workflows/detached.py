"""A child workflow the saga hands work to and does not wait for: the void of an unconfirmed
intent, a customer's mail, an order's event deliveries. It outlives the saga (abandoned when
the saga closes); its id is derived from the order, so starting it twice starts one."""

from __future__ import annotations

from typing import Any

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.types import MethodAsyncSingleParam, ParamType, ReturnType, SelfType
from temporalio.workflow import ChildWorkflowHandle, ParentClosePolicy


async def start_detached(
    run: MethodAsyncSingleParam[SelfType, ParamType, ReturnType],
    arg: ParamType,
    *,
    id: str,
    summary: str,
    once: bool = False,
) -> ChildWorkflowHandle[SelfType, ReturnType] | None:
    """Start it and return once it has started; None if it was started already (a person's
    retry of the undos, say). `once`: not even after it closed, unless it failed (within the
    namespace's retention): a reset of the saga that runs past it again starts nothing."""
    options: dict[str, Any] = {
        "id": id,
        "parent_close_policy": ParentClosePolicy.ABANDON,
        "static_summary": summary,
    }
    if once:
        options["id_reuse_policy"] = WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY
    try:
        return await workflow.start_child_workflow(run, arg, **options)
    except WorkflowAlreadyStartedError:
        return None
