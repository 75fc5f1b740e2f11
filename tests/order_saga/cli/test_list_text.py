"""`order-saga list` as text on a narrow terminal: every id whole, so it can be copied."""

from __future__ import annotations

import asyncio
import uuid

from tests.processes import order_saga


async def test_long_ids_are_listed_whole_on_a_narrow_terminal(
    dev_server, cli_env, make_product
) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    order_id = f"a-long-order-id-{uuid.uuid4().hex}-{uuid.uuid4().hex[:14]}"[:64]
    args = ["--address", dev_server]
    started = await asyncio.to_thread(
        order_saga, "start", "--order-id", order_id, "--customer-id", customer,
        "--item", f"{make_product()}:1:19.99", "--street", "1 Main St", "--city", "X",
        "--zip-code", "1", *args, env=cli_env,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr  # no worker: it stays RUNNING, listed
    narrow = {**cli_env, "COLUMNS": "80"}
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        listed = await asyncio.to_thread(
            order_saga, "list", "--customer", customer, *args, env=narrow
        )
        if order_id in listed.stdout:
            break
        assert asyncio.get_running_loop().time() < deadline, listed.stdout
        await asyncio.sleep(0.2)  # visibility catches up
    assert f"order-{order_id}" in listed.stdout and "…" not in listed.stdout
    await asyncio.to_thread(
        order_saga, "terminate", order_id, "--reason", "the test is over", "--yes", *args,
        env=cli_env,
    )  # fmt: skip
