"""`order-saga dev` serves the embedded stack until Ctrl-C; sagas started against it complete."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from order_saga.codec import new_key
from order_saga.embedded.ports import port_open
from tests.helpers import clean_env, order_data
from tests.processes import as_at_a_terminal, banner_key, children, read_until

BIN = Path(sys.executable).parent
STACK_PORTS = (7233, 8233, 12111, 8000)


def status_until(
    location: str, wanted: str, seconds: float, headers: dict[str, str]
) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while (found := httpx.get(location, headers=headers, timeout=30).json())["status"] != wanted:
        assert time.monotonic() < deadline, found
        time.sleep(0.2)  # polling the order's status, with a deadline
    return found


def three_d_secure_through_the_webhook(shop: dict[str, str]) -> None:
    """A card that asks for 3-D Secure, the customer completing the local page: the local
    Stripe server's signed webhook reaches the dev API, whose signal wakes the saga at once
    (well before its minute's re-read)."""
    order = order_data(
        order_id=f"dev-3ds-{uuid.uuid4().hex[:8]}",
        items=[{"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}],
        payment_method="pm_card_threeDSecure2Required",
        handover_delay_seconds=0,
    )
    posted = httpx.post("http://127.0.0.1:8000/api/orders", json=order, headers=shop, timeout=30)
    assert posted.status_code == 202, posted.text
    location = str(httpx.URL("http://127.0.0.1:8000").join(posted.headers["Location"]))
    asked = status_until(location, "AWAITING_AUTHENTICATION", 60, shop)
    assert httpx.post(f"{asked['authentication_url']}/complete", timeout=30).status_code == 200
    completed_at = time.monotonic()
    status_until(location, "COMPLETED", 60, shop)
    assert time.monotonic() - completed_at < 30  # woken by the webhook, not the re-read

    async def signals() -> int:
        client = await Client.connect("127.0.0.1:7233", data_converter=pydantic_data_converter)
        handle = client.get_workflow_handle(f"order-{order['order_id']}")
        found = 0
        async for event in handle.fetch_history_events():
            found += event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        return found

    assert asyncio.run(signals()) >= 1


@pytest.mark.skipif(
    any(port_open("127.0.0.1", p) for p in STACK_PORTS), reason="a stack already runs here"
)
def test_dev_serves_until_interrupted(tmp_path: Path) -> None:
    env = clean_env()
    dev = subprocess.Popen(
        [BIN / "order-saga", "dev"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=as_at_a_terminal,
    )
    try:
        banner = read_until(dev, "Ready.", seconds=90)
        assert "Temporal Web UI    http://localhost:8233" in banner
        assert "Stripe API         http://127.0.0.1:12111" in banner
        assert "Worker             running here" in banner
        assert "Order API          http://127.0.0.1:8000/api/orders" in banner
        shop = banner_key(banner, "Storefront")
        banner_key(banner, "Operator")
        posted = httpx.post(
            "http://127.0.0.1:8000/api/orders",
            json=order_data(items=[{"sku": "prod-123", "quantity": 1, "unit_price": "129.00"}]),
            headers=shop,
            timeout=30,
        )
        assert posted.status_code == 202, posted.text
        nobody = httpx.post("http://127.0.0.1:8000/api/orders", json=order_data(), timeout=30)
        assert nobody.status_code == 401

        done = subprocess.run(
            [
                BIN / "order-saga",
                "start",
                "--customer-id",
                "c1",
                "--item",
                "prod-123:1:129.00",
                "--street",
                "1 Main St",
                "--city",
                "Springfield",
                "--zip-code",
                "62701",
                "--wait",
                "--handover-delay",
                "0",
                "--output",
                "json",
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["status"] == "COMPLETED"
        three_d_secure_through_the_webhook(shop)
    finally:
        dev.send_signal(signal.SIGINT)
        rest, _ = dev.communicate(timeout=60)
    assert dev.returncode == 0
    assert b"Stopped." in rest
    assert not any(port_open("127.0.0.1", p) for p in STACK_PORTS)


@pytest.mark.skipif(
    any(port_open("127.0.0.1", p) for p in STACK_PORTS), reason="a stack already runs here"
)
def test_with_payload_keys_the_ui_decrypts_through_the_codec_endpoint(tmp_path: Path) -> None:
    env = {**clean_env(), "PAYLOAD_KEYS": f"k1:{new_key()}"}
    dev = subprocess.Popen(
        [BIN / "order-saga", "dev"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=as_at_a_terminal,
    )  # fmt: skip
    try:
        read_until(dev, "Ready.", seconds=90)
        [server] = [
            Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in children(dev.pid)
        ]
        flag = server.index(b"--ui-codec-endpoint")
        assert server[flag + 1] == b"http://127.0.0.1:8000/codec"
        preflight = httpx.options(
            "http://127.0.0.1:8000/codec/decode",
            headers={
                "Origin": "http://localhost:8233",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-namespace",
            },
        )
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:8233"
        shipped = subprocess.run(
            [BIN / "order-saga", "start", "--customer-id", "c1", "--item", "prod-123:1:129.00",
             "--street", "1 Main St", "--city", "Springfield", "--zip-code", "62701",
             "--handover-delay", "0", "--wait", "-o", "json"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert json.loads(shipped.stdout)["status"] == "COMPLETED", shipped.stderr
        history = subprocess.run(  # what the server holds, read without the key
            [BIN / "temporal", "workflow", "show", "-o", "json", "--workflow-id",
             f"order-{json.loads(shipped.stdout)['order_id']}"],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert history.returncode == 0, history.stderr
        assert "binary/encrypted" in history.stdout or "YmluYXJ5L2VuY3J5cHRlZA" in history.stdout
        assert "1 Main St" not in history.stdout and "Springfield" not in history.stdout
    finally:
        dev.send_signal(signal.SIGINT)
        dev.communicate(timeout=60)
