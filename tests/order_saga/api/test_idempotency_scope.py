"""A customer's Idempotency-Key is theirs alone: no customer id and key can be cut another
way to name someone else's order."""

from __future__ import annotations

import uuid

import httpx
import pytest

from order_saga.client import find_order
from tests.order_saga.api.conftest import SecuredApi, an_order

pytestmark = pytest.mark.slow


async def test_a_customer_and_key_cut_another_way_name_another_order(
    secured: SecuredApi, http: httpx.AsyncClient, make_product
) -> None:
    sku, tag = make_product(stock=10), uuid.uuid4().hex[:6]
    placed = []
    # "c:y" + "k" and "c" + "y:k" read alike once joined with ':'.
    for customer, key in ((f"c{tag}:y", "k"), (f"c{tag}", "y:k")):
        body = an_order(sku, customer)
        del body["order_id"]
        headers = secured.jwt(customer, "customer") | {"Idempotency-Key": key}
        answer = await http.post("/api/orders", json=body, headers=headers)
        assert answer.status_code == 202, answer.text
        placed.append(answer.json()["order_id"])
    assert placed[0] != placed[1]
    for order_id in placed:
        handle, _ = await find_order(secured.client, order_id)
        await handle.terminate("the test is over")
