"""A checkout over HTTP (`order-saga api` as a process) whose worker process is SIGKILLed
between the start and the payment's answer: the answer is not lost. The caller's wait may run
out (202) while a new worker takes over; its retry, the same request, gets the answer: one
saga, one charge."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from testkit.chaos_kit import KilledWorker
from tests.helpers import order_data
from tests.order_saga.api.api_process import api

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


def test_a_worker_killed_mid_checkout_loses_no_answer(
    api: httpx.Client, dev_server: str, cli_env, stripe_server, make_product, tmp_path: Path
) -> None:
    stripe, _ = stripe_server
    stripe.faults.force("http_500", 2, path_suffix="/confirm")  # the answer some seconds away
    body = order_data(
        order_id=f"killed-{uuid.uuid4().hex[:8]}",
        items=[{"sku": make_product(), "quantity": 1, "unit_price": "19.99"}],
        handover_delay_seconds=0,
    )
    asked = {"Idempotency-Key": "checkout-killed", "Prefer": "wait=10"}
    with (tmp_path / "worker.log").open("wb") as log:
        worker = KilledWorker(dev_server, cli_env, log)
        worker.start()
        try:
            with ThreadPoolExecutor(1) as browser:
                sent = browser.submit(api.post, "/api/orders", json=body, headers=asked)
                deadline = time.monotonic() + 30
                while not stripe.ledger.intents_of_order(body["order_id"]):
                    assert time.monotonic() < deadline, "the charge never began"
                    time.sleep(0.05)  # polling the bank's ledger, with a deadline
                worker.kill()  # the update accepted, the charge under way
                worker.start()
                answer = sent.result()
            for _ in range(9):  # the storefront asks again while the answer is 202
                if answer.status_code != 202:
                    break
                answer = api.post("/api/orders", json=body, headers=asked)
        finally:
            worker.stop()
    assert answer.status_code == 201, answer.text
    assert answer.json()["payment"] == "authorized"
    assert len(stripe.ledger.intents_of_order(body["order_id"])) == 1  # one saga, one charge
