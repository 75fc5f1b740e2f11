"""Callers behind the trust boundary, over HTTP: a customer sees, lists and cancels only their
own orders; who cancelled or settled an order is in its history and status."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from order_saga.access.roles import Role
from order_saga.client import find_order, order_result, start_order
from tests.helpers import order, until
from tests.order_saga.api.conftest import SecuredApi, an_order
from tests.waits import captured_then_waiting

pytestmark = pytest.mark.slow


async def test_a_customer_sees_lists_and_cancels_only_their_own_orders(
    secured: SecuredApi, http: httpx.AsyncClient, make_product
) -> None:
    sku = make_product(stock=10)
    ann, bob = f"ann-{uuid.uuid4().hex[:6]}", f"bob-{uuid.uuid4().hex[:6]}"
    as_ann, as_bob = secured.jwt(ann, "customer"), secured.jwt(bob, "customer")
    anns = an_order(sku, ann)
    chosen = await http.post("/api/orders", json=anns, headers=as_ann)
    assert chosen.status_code == 403 and "order_id" in chosen.json()["detail"]
    del anns["order_id"]  # a customer's order gets its id from the API, or from its key
    created = await http.post("/api/orders", json=anns, headers=as_ann)
    assert created.status_code == 202, created.text
    anns["order_id"] = created.json()["order_id"]
    unnamed = an_order(sku, bob)
    del unnamed["order_id"]
    bobs = await http.post("/api/orders", json=unnamed, headers=as_bob)
    assert bobs.status_code == 202, bobs.text
    # Two customers, one Idempotency-Key: two orders, neither sees the other's.
    same_key = {"Idempotency-Key": "checkout-1"}
    ann_keyed = await http.post("/api/orders", json=unnamed | {"customer_id": ann},
                                headers=as_ann | same_key)  # fmt: skip
    bob_keyed = await http.post("/api/orders", json=unnamed, headers=as_bob | same_key)
    assert (ann_keyed.status_code, bob_keyed.status_code) == (202, 202)
    assert ann_keyed.json()["order_id"] != bob_keyed.json()["order_id"]
    for_ann = await http.post("/api/orders", json=unnamed | {"customer_id": ann}, headers=as_bob)
    assert for_ann.status_code == 403 and "customer_id" in for_ann.json()["detail"]

    async def both_listed() -> bool:
        rows = (await http.get("/api/orders", headers=secured.key(Role.OPERATOR))).json()
        return {anns["order_id"], bobs.json()["order_id"]} <= {r["order_id"] for r in rows}

    await until(both_listed)  # visibility is eventually consistent
    url = f"/api/orders/{anns['order_id']}"
    seen_by_bob = await http.get(url, headers=as_bob)
    missing = await http.get("/api/orders/never-existed", headers=as_bob)
    assert (seen_by_bob.status_code, missing.status_code) == (404, 404)
    assert seen_by_bob.json()["detail"].replace(anns["order_id"], "X") == missing.json()[
        "detail"
    ].replace("never-existed", "X")  # the same refusal: nothing says the order exists
    bobs_list = (await http.get("/api/orders", headers=as_bob)).json()
    assert {r["order_id"] for r in bobs_list} == {
        bobs.json()["order_id"], bob_keyed.json()["order_id"]
    }  # fmt: skip
    asked_for_ann = await http.get("/api/orders", params={"customer": ann}, headers=as_bob)
    assert asked_for_ann.json() == []
    refused = await http.post(f"{url}/cancel", headers=as_bob)
    assert refused.status_code == 404
    assert (await http.get(url, headers=as_ann)).json()["status"] in (
        "RUNNING",
        "AWAITING_HANDOVER",
    )
    own = await http.post(f"{url}/cancel", json={"reason": "changed my mind"}, headers=as_ann)
    assert own.status_code == 202
    for placed in (bobs, ann_keyed, bob_keyed):
        handle, _ = await find_order(secured.client, placed.json()["order_id"])
        await handle.terminate("the test is over")


async def cancel_request_cause(handle: WorkflowHandle[Any, Any]) -> str:
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
            return str(event.workflow_execution_cancel_requested_event_attributes.cause)
    raise AssertionError("no cancel request in the history")


async def update_inputs(handle: WorkflowHandle[Any, Any]) -> list[bytes]:
    found = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            request = event.workflow_execution_update_accepted_event_attributes.accepted_request
            found += [p.data for p in request.input.args.payloads]
    return found


async def test_who_cancelled_and_who_settled_is_in_the_history_and_the_status(
    secured: SecuredApi, http: httpx.AsyncClient, make_product, caplog
) -> None:
    caplog.set_level("INFO", logger="order_saga.trail")
    operator = secured.keys[Role.OPERATOR][0]
    sku = make_product(stock=10)
    placed = await http.post(
        "/api/orders", json=an_order(sku, "cust-c"), headers=secured.key(Role.STOREFRONT)
    )
    url = placed.headers["Location"]

    async def waiting() -> bool:
        return (await http.get(url, headers=secured.key(Role.STOREFRONT))).json()[
            "status"
        ] == "AWAITING_HANDOVER"

    await until(waiting)
    cancelled = await http.post(
        f"{url}/cancel", json={"reason": "fraud check"}, headers=secured.key(Role.OPERATOR)
    )
    assert cancelled.status_code == 202
    handle, _ = await find_order(secured.client, placed.json()["order_id"])

    async def ended() -> bool:
        return (await http.get(url, headers=secured.key(Role.OPERATOR))).json()[
            "status"
        ] == "CANCELLED"

    await until(ended)
    status = (await http.get(url, headers=secured.key(Role.OPERATOR))).json()
    assert status["cancel_reason"] == "fraud check"
    assert [(i["action"], i["by"]) for i in status["interventions"]] == [
        ("cancel", f"api-key:{operator}")
    ]
    assert f"api-key:{operator}" in await cancel_request_cause(handle)
    assert f"asked by api-key:{operator}: fraud check" in caplog.text  # the audit line
    result = await order_result(handle)  # the result a client reads of the cancelled order
    assert [(i.action, i.by) for i in result.interventions] == [("cancel", f"api-key:{operator}")]

    # A refund the issuer refuses: the saga waits for a person; two people settle it.
    stuck = captured_then_waiting(order((sku, 1, "19.99"), payment_method="pm_card_refundFail"))
    stuck_handle = await start_order(secured.client, stuck, secured.queue_prefix)
    await until(lambda: captured(http, secured, stuck.order_id))
    await http.post(f"/api/orders/{stuck.order_id}/cancel", headers=secured.key(Role.OPERATOR))

    async def needs_person() -> bool:
        answer = await http.get(f"/api/orders/{stuck.order_id}", headers=secured.key(Role.OPERATOR))
        return bool(answer.json().get("waiting_for_person"))

    await until(needs_person, seconds=60)
    resolve = f"/api/orders/{stuck.order_id}/resolve"
    retried = await http.post(
        resolve, json={"action": "retry"}, headers=secured.jwt("alice", "operator")
    )
    assert retried.status_code == 200, retried.text
    fixed = await http.post(
        resolve,
        json={"action": "mark-resolved", "note": "refunded by bank transfer"},
        headers=secured.key(Role.OPERATOR),
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["resolution"]["by"] == f"api-key:{operator}"
    assert f"retry_undos of order {stuck.order_id} asked by jwt:alice" in caplog.text
    inputs = b" ".join(await update_inputs(stuck_handle))
    assert b"jwt:alice" in inputs and f"api-key:{operator}".encode() in inputs
    final = (
        await http.get(f"/api/orders/{stuck.order_id}", headers=secured.key(Role.OPERATOR))
    ).json()
    assert [(i["action"], i["by"]) for i in final["interventions"]] == [
        ("cancel", f"api-key:{operator}"),
        ("retry", "jwt:alice"),
        ("mark-resolved", f"api-key:{operator}"),
    ]
    settled = await order_result(stuck_handle)
    assert [i.by for i in settled.interventions] == [
        f"api-key:{operator}", "jwt:alice", f"api-key:{operator}"
    ]  # fmt: skip
    assert settled.resolution is not None and settled.resolution.by == f"api-key:{operator}"


async def captured(http: httpx.AsyncClient, secured: SecuredApi, order_id: str) -> bool:
    answer = await http.get(f"/api/orders/{order_id}", headers=secured.key(Role.OPERATOR))
    steps = {s["name"]: s["state"] for s in answer.json().get("steps") or []}
    return steps.get("capture_payment") == "DONE"
