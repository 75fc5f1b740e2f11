"""Limits at the HTTP door: a caller over its rate is told when to come back (another caller
has a rate of its own); a chunked body is bounded like a declared one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from order_saga.access.roles import Role
from tests.order_saga.api.conftest import SecuredApi, an_order

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("secured", ["3 per 2 seconds"], indirect=True)
async def test_over_its_rate_a_caller_is_told_when_to_come_back(
    secured: SecuredApi, http: httpx.AsyncClient, make_product
) -> None:
    sku = make_product(stock=20)
    shop = secured.key(Role.STOREFRONT)
    answers = [
        await http.post("/api/orders", json=an_order(sku, "cust-r"), headers=shop) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    limited = answers[-1]
    assert limited.headers["content-type"] == "application/problem+json"
    wait = int(limited.headers["Retry-After"])
    assert 1 <= wait <= 2
    # Another caller has a rate of its own.
    other = await http.post(
        "/api/orders", json=an_order(sku, "cust-r"), headers=secured.key(Role.OPERATOR)
    )
    assert other.status_code == 202
    deadline = time.monotonic() + 10
    while (
        later := await http.post("/api/orders", json=an_order(sku, "cust-r"), headers=shop)
    ).status_code == 429:
        assert time.monotonic() < deadline, later.text
        await asyncio.sleep(0.2)  # polling the next window, with a deadline
    assert later.status_code == 202


def chunks(size: int) -> Iterator[bytes]:
    sent = 0
    while sent < size:
        yield b" " * 4096
        sent += 4096


async def test_a_chunked_body_is_bounded_like_a_declared_one(
    secured: SecuredApi, http: httpx.AsyncClient
) -> None:
    shop = secured.key(Role.STOREFRONT)

    async def stream(size: int):  # type: ignore[no-untyped-def]
        for part in chunks(size):
            yield part

    big = await http.post(
        "/api/orders",
        content=stream(1024 * 1024),
        headers={**shop, "Content-Type": "application/json"},
    )
    assert big.status_code == 413 and big.headers["content-type"] == "application/problem+json"
    small = await http.post(
        "/api/orders", content=stream(4096), headers={**shop, "Content-Type": "application/json"}
    )
    assert small.status_code == 422  # read whole, then judged: blank is not an order
