"""`order-saga cancel` waits for the undo, and says what it waits for while it does."""

from __future__ import annotations

import subprocess

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from order_saga.client import order_status, start_order
from tests.helpers import order, until
from tests.processes import BIN, read_until


async def test_a_cancel_waiting_on_the_gateway_says_so_then_ends(
    dev_server, cli_env, worker_process, stripe_server, queue_prefix, make_product
) -> None:
    stripe, _ = stripe_server
    client = await Client.connect(dev_server, data_converter=pydantic_data_converter)
    request = order((make_product(), 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 3600}
    )
    await start_order(client, request, queue_prefix)

    async def booked() -> bool:
        status = await order_status(client, request.order_id)
        return status.status == "AWAITING_HANDOVER"

    await until(booked, seconds=60)
    # The payment is only authorized: its undo is a void, which cannot go.
    stripe.faults.force("http_500", 1_000_000, path_suffix="/cancel")
    cancel = subprocess.Popen(
        [BIN / "order-saga", "cancel", request.order_id, "--address", dev_server],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        said = read_until(cancel, "; last failure:", 60, stream="stderr")
        stripe.faults.clear()
        out, _ = cancel.communicate(timeout=90)
    finally:
        if cancel.poll() is None:
            cancel.kill()
    assert "undo waits for refund_payment (attempt " in said
    assert cancel.returncode == 0 and "CANCELLED" in out.decode()
