"""A deployment whose workers encrypt payloads, read by a command run without PAYLOAD_KEYS:
one line naming the setting and exit 1, never the converter's traceback."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

from order_saga.codec import new_key
from tests.processes import order_saga, start_worker, stop_worker

ORDER = ["--customer-id", "c-keys", "--street", "1 Main St", "--city", "Springfield",
         "--zip-code", "62701", "--handover-delay", "3600"]  # fmt: skip
REFUSAL = "order-saga: this deployment's workers encrypt payloads: set PAYLOAD_KEYS to their keys\n"


async def test_every_command_without_the_keys_names_payload_keys_in_one_line(
    dev_server, cli_env, make_product
) -> None:
    keyed = {**cli_env, "PAYLOAD_KEYS": f"k1:{new_key()}"}
    worker = start_worker(dev_server, keyed)
    try:
        order_id = f"keys-{uuid.uuid4().hex[:8]}"
        args = ["--address", dev_server]
        started = await asyncio.to_thread(
            order_saga, "start", "--order-id", order_id, "--item", f"{make_product()}:1:19.99",
            *ORDER, *args, env=keyed,
        )  # fmt: skip
        assert started.returncode == 0, started.stderr
        deadline = time.monotonic() + 60
        while True:  # with the keys, the status reads
            shown = await asyncio.to_thread(
                order_saga, "status", order_id, "-o", "json", *args, env=keyed
            )
            if shown.returncode == 0 and json.loads(shown.stdout)["status"] == "AWAITING_HANDOVER":
                break
            assert time.monotonic() < deadline, shown.stdout + shown.stderr
            await asyncio.sleep(0.2)  # polling the order's status, with a deadline

        for command in (["status", order_id], ["cancel", order_id]):
            refused = await asyncio.to_thread(order_saga, *command, *args, env=cli_env)
            assert (refused.returncode, refused.stderr) == (1, REFUSAL), refused.stderr
            assert refused.stdout == ""
        cancelled = await asyncio.to_thread(order_saga, "status", order_id, *args, env=keyed)
        assert cancelled.returncode == 4, cancelled.stdout + cancelled.stderr
    finally:
        stop_worker(worker)
