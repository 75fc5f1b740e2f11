"""Risk before money through the real front ends: `order-saga risk` sets the rules, the
storefront's order is held (nothing authorized at Stripe), and an operator approves it over
HTTP or declines it with `order-saga review`; a blocked customer's order is declined at once.
Each leaves the stock and the money as a merchant would check them."""

from __future__ import annotations

import uuid

from tests.helpers import order_data, stock
from tests.order_saga.api.api_process import PROBLEM, api, wait_for_state
from tests.processes import order_saga

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


def new_order(api, sku: str, customer: str, wait: int = 0):  # type: ignore[no-untyped-def]
    """Start a 2-unit order as a storefront would; with `wait`, as a checkout that wants the
    payment's answer at once."""
    body = order_data(
        order_id=f"api-{uuid.uuid4().hex[:8]}",
        customer_id=customer,
        items=[{"sku": sku, "quantity": 2, "unit_price": "19.99"}],
        handover_delay_seconds=1,
    )
    prefer = {"Prefer": f"wait={wait}"} if wait else {}
    answer = api.post("/api/orders", json=body, headers=prefer)
    assert answer.status_code == (201 if wait else 202), answer.text
    if wait:
        assert answer.json()["payment"] == "in_review"  # answered at once, nothing held
    return body["order_id"], answer.headers["Location"]


def test_a_held_order_waits_with_nothing_authorized_until_an_operator_approves(
    api, worker_process, make_product, stripe_server, cli_env, engine
) -> None:
    stripe, _ = stripe_server
    buyer, sku = f"cust-{uuid.uuid4().hex[:8]}", make_product(stock=5)
    limited = order_saga("risk", "limit", "--customer", buyer, "--amount", "30", env=cli_env)
    assert limited.returncode == 0, limited.stderr
    order_id, location = new_order(api, sku, buyer)  # 39.98 USD: over 30

    held = wait_for_state(api, location, "AWAITING_REVIEW")
    assert stripe.ledger.intents_of_order(order_id) == []  # no money held while it waits
    assert "over the limit of 30.00 USD" in held["review"]["reasons"][0]
    storefront_says = api.post(f"{location}/review", json={"decision": "approve"})
    assert (storefront_says.status_code, storefront_says.headers["content-type"]) == (422, PROBLEM)
    approved = api.post(f"{location}/review", json={"decision": "approve", "reason": "regular"})
    assert approved.status_code == 200, approved.text
    done = wait_for_state(api, location, "COMPLETED")

    assert done["review"]["decision"] == "approve" and done["review"]["by"].startswith("api-key:")
    [intent] = stripe.ledger.intents_of_order(order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 3998)
    assert stock(engine, sku) == 3
    again = api.post(f"{location}/review", json={"decision": "decline", "reason": "late"})
    assert again.status_code == 409


def test_a_declined_order_gives_its_stock_back_and_moves_no_money(
    api, worker_process, make_product, stripe_server, cli_env, engine, dev_server
) -> None:
    stripe, _ = stripe_server
    buyer, sku = f"cust-{uuid.uuid4().hex[:8]}", make_product(stock=5)
    order_saga("risk", "limit", "--customer", buyer, "--amount", "30", env=cli_env)
    order_id, location = new_order(api, sku, buyer, wait=10)  # a checkout

    declined = order_saga(
        "review", order_id, "--decline", "--reason", "card reported stolen", "--as", "bo",
        "--address", dev_server, env=cli_env,
    )  # fmt: skip
    assert declined.returncode == 0, declined.stderr
    ended = wait_for_state(api, location, "COMPENSATED")

    assert ended["review"]["decision"] == "decline" and ended["review"]["by"] == "cli:bo"
    assert stripe.ledger.intents_of_order(order_id) == []
    assert stock(engine, sku) == 5


def test_a_blocked_customer_is_declined_before_any_money(
    api, worker_process, make_product, stripe_server, cli_env, engine
) -> None:
    stripe, _ = stripe_server
    buyer, sku = f"cust-{uuid.uuid4().hex[:8]}", make_product(stock=5)
    blocked = order_saga(
        "risk", "block", "--customer", buyer, "--reason", "chargebacks", env=cli_env
    )
    assert blocked.returncode == 0, blocked.stderr
    order_id, location = new_order(api, sku, buyer)

    ended = wait_for_state(api, location, "COMPENSATED")

    risk = next(s for s in ended["steps"] if s["name"] == "assess_risk")
    assert (risk["state"], risk["error_type"]) == ("FAILED", "RiskBlocked")
    assert stripe.ledger.intents_of_order(order_id) == []
    assert stock(engine, sku) == 5
    shown = order_saga("risk", "show", "--output", "json", env=cli_env)
    assert buyer in shown.stdout
