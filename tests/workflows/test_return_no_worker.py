"""A person's update to a return that no worker answers in time (the chaos run's killed
worker, found there): `NoWorkerAnswered`, saying it may still apply (503 over HTTP, one line
from the CLI), never an unhandled timeout."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from order_saga.client.errors import NoWorkerAnswered
from order_saga.client.returns import _call
from workflows.return_request import ReceiveParcel, return_id_for


async def test_a_receive_no_worker_takes_says_so(env) -> None:
    return_id = return_id_for(f"t-{uuid.uuid4().hex[:12]}", 1)
    handle = await env.client.start_workflow(
        "OrderReturn", "no worker runs it", id=return_id, task_queue=f"none-{uuid.uuid4().hex}"
    )

    with pytest.raises(NoWorkerAnswered, match="may still apply"):
        await _call(
            env.client,
            return_id,
            "receive",
            ReceiveParcel(unusable=[], by="op"),
            wait=timedelta(seconds=1),
        )
    await handle.terminate("the test is over")
