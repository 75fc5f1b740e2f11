"""The rate limit holds across API replicas: two `order-saga api` processes sharing a real
Redis (RATE_LIMIT_STORAGE_URL) allow one caller the rate once, not once each."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from order_saga.access.roles import Role
from tests.helpers import new_key_for, order_data
from tests.ports import free_port
from tests.processes import BIN, read_until

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS is None, reason="Debian's redis-server is not installed (.ci/run installs it)"
)


@pytest.fixture
def redis_url() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [REDIS or "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:  # until it answers PING
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server never answered"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def api_process(dev_server: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [BIN / "order-saga", "api", "--port", str(port), "--address", dev_server],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    read_until(process, "Order API on", seconds=60)
    return process, f"http://127.0.0.1:{port}"


def test_two_replicas_share_one_callers_rate(
    dev_server, cli_env, engine: Engine, make_product, redis_url: str
) -> None:
    env = {**cli_env, "RATE_LIMIT_STORAGE_URL": redis_url, "ORDER_RATE_LIMIT": "3 per minute"}
    _, key = new_key_for(engine, Role.STOREFRONT)
    headers = {"Authorization": f"Bearer {key}"}
    sku = make_product(stock=10)
    replicas = [api_process(dev_server, env) for _ in range(2)]
    try:
        answers = []
        for index in range(4):  # alternating between the replicas, as a load balancer does
            order = order_data(
                order_id=f"rate-{uuid.uuid4().hex[:8]}",
                items=[{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
                handover_delay_seconds=3600,
            )
            url = replicas[index % 2][1]
            deadline = time.monotonic() + 30
            while True:  # the socket is bound before the banner; serving follows at once
                try:
                    answers.append(httpx.post(f"{url}/api/orders", json=order, headers=headers))
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
    finally:
        for process, _ in replicas:
            process.terminate()
            process.communicate(timeout=30)
    assert [a.status_code for a in answers] == [202, 202, 202, 429], [a.text for a in answers]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_with_its_store_away_an_order_is_refused_as_our_outage(
    dev_server, cli_env, engine: Engine, make_product
) -> None:
    env = {**cli_env, "RATE_LIMIT_STORAGE_URL": f"redis://127.0.0.1:{free_port()}/0"}
    _, key = new_key_for(engine, Role.STOREFRONT)
    process, url = api_process(dev_server, env)
    try:
        order = order_data(items=[{"sku": make_product(), "quantity": 1, "unit_price": "19.99"}])
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.post(
                    f"{url}/api/orders", json=order, headers={"Authorization": f"Bearer {key}"}
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert (answer.status_code, answer.headers["Retry-After"]) == (503, "5"), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
