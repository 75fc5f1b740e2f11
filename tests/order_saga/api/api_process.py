"""`order-saga api` in its own process, against the real dev server, acting as an operator;
and what a storefront does over it: poll an order's status, bring an order to a refused
refund."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from order_saga.access.roles import Role
from tests.helpers import new_key_for, order_data
from tests.ports import free_port
from tests.processes import BIN, read_until

PROBLEM = "application/problem+json"


@pytest.fixture
def api(dev_server: str, cli_env: dict[str, str], engine: Engine) -> Iterator[httpx.Client]:
    port = free_port()
    _, key = new_key_for(engine, Role.OPERATOR)  # these tests act as operators
    process = subprocess.Popen(
        [BIN / "order-saga", "api", "--port", str(port), "--address", dev_server],
        env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        read_until(process, "Order API on", seconds=60)
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=30, headers=headers
        ) as client:
            deadline = time.monotonic() + 30
            while True:  # the socket is bound before the banner; serving follows at once
                try:
                    client.get("/openapi.json")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the API never answered"
                    time.sleep(0.1)
            yield client
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert key.encode() not in out + err  # a key never reaches a log


def wait_for_state(api: httpx.Client, location: str, *states: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (status := api.get(location).json())["status"] not in states:
        assert time.monotonic() < deadline, status
        time.sleep(0.2)  # polling the order's own status, with a deadline
    return status  # type: ignore[no-any-return]


def captured(status: dict[str, Any]) -> bool:
    """Captured while the parcel still waits for pickup: a cancel from here refunds."""
    steps = {s["name"]: s["state"] for s in status.get("steps") or []}
    return status.get("status") == "AWAITING_HANDOVER" and steps.get("capture_payment") == "DONE"


def refund_refused(api: httpx.Client, sku: str, payment_method: str) -> tuple[str, str]:
    """An order captured a second in, cancelled before pickup, its refund refused by the
    bank: once it waits for a person, its order id and `Location`."""
    order = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
        payment_method=payment_method,
        handover_delay_seconds=3600,
        capture_window_seconds=1,
    )
    location = api.post("/api/orders", json=order).headers["Location"]
    deadline = time.monotonic() + 60
    while not captured(api.get(location).json()):
        assert time.monotonic() < deadline
        time.sleep(0.2)  # polling the order's own status, with a deadline
    assert api.post(f"{location}/cancel", json={"reason": "wrong size"}).status_code == 202
    while not api.get(location).json().get("waiting_for_person"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return order["order_id"], location
