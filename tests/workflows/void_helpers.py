"""Helpers of the tests of an unconfirmed intent's detached void."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from order_saga.audit import Outcome, audit
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.helpers import until
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.placement import Placement


def settings_for(base_url: str, queue_prefix: str, placement: Placement = "colocated") -> Settings:
    # The breaker keeps wall-clock time while this server skips it: left to open, it fails
    # the undo for 30 real seconds, thousands of skipped-time retries that once broke the
    # server's HTTP/2 stream. It is not what these tests are about.
    return Settings(
        stripe_api_base=base_url,
        queue_prefix=queue_prefix,
        stripe_max_network_retries=0,
        breaker_fail_max=1_000_000,
        placement=placement,
    )


async def closed(env: Any, handle: WorkflowHandle[Any, Any], step: timedelta) -> None:
    """Skip time in slices until the workflow closes. No long poll for the result: on this
    server it raced the skipping and broke the HTTP/2 stream once."""
    for _ in range(60):
        if (await handle.describe()).status != WorkflowExecutionStatus.RUNNING:
            return
        await env.sleep(step)
    raise AssertionError(f"{handle.id} still running")


async def void_done(client: Client, request: OrderRequest) -> None:
    """Wait, in real time, for the detached void to close: its retries back off from 2 s.
    (Skipping time over it hung this server; so did a long poll for its result.)"""
    void = client.get_workflow_handle(f"{request.workflow_id}-void-intent")

    async def done() -> bool:
        return (await void.describe()).status == WorkflowExecutionStatus.COMPLETED

    await until(done, seconds=60)


def books(base_url: str, engine: Any, request: OrderRequest, state: SagaState) -> Any:
    client = make_stripe_client(Settings(stripe_api_base=base_url))
    return audit(engine, client, {request.order_id: Outcome(state, request.total)})
