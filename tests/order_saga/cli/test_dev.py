"""`order-saga dev` serves the embedded stack until Ctrl-C; sagas started against it complete."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from order_saga.codec import new_key
from order_saga.embedded.stack import port_open
from tests.helpers import clean_env, order_data
from tests.processes import as_at_a_terminal, children, read_until

BIN = Path(sys.executable).parent
STACK_PORTS = (7233, 8233, 12111, 8000)


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
        posted = httpx.post(
            "http://127.0.0.1:8000/api/orders",
            json=order_data(items=[{"sku": "prod-123", "quantity": 1, "unit_price": "129.00"}]),
            timeout=30,
        )
        assert posted.status_code == 202, posted.text

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
