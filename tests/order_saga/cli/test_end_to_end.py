"""`order-saga start --wait` against the real dev server and a worker in its own process."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlmodel import select

from activities.database import transaction
from activities.inventory.stock import stock_of
from activities.payment.tables import Payment
from activities.shipment.tables import Shipment
from order_saga.cli.order_input import order_from_flags, read_order
from tests.helpers import order_data
from tests.ports import free_port
from tests.processes import order_saga
from workflows.order_request import OrderRequest

CUSTOMER = ["--customer-id", "c1"]
ADDRESS = ["--street", "1 Main", "--city", "X", "--zip-code", "1"]


async def test_start_wait_runs_the_saga_through_a_worker_process(
    dev_server, worker_process, cli_env, engine, make_product, tmp_path: Path
) -> None:
    sku = make_product(stock=3, price="19.99")
    order_id = f"e2e-{uuid.uuid4().hex[:10]}"
    order_file = tmp_path / "order.json"
    order_file.write_text(
        json.dumps(
            order_data(
                order_id=order_id,
                items=[{"sku": sku, "quantity": 2, "unit_price": "19.99"}],
                handover_delay_seconds=0,
            )
        )
    )
    args = [
        "start",
        "--order-file",
        str(order_file),
        "--wait",
        "-o",
        "json",
        "--address",
        dev_server,
    ]

    done = await asyncio.to_thread(order_saga, *args, env=cli_env)

    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["total"]) == ("COMPLETED", "39.98")
    assert done.stderr.strip() == f"started order-{order_id}"  # no progress off a terminal
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 1
        payment = session.exec(select(Payment).where(Payment.order_id == order_id)).one()
        assert (payment.status, payment.transaction_id) == ("Captured", result["payment_intent_id"])
        shipment = session.exec(select(Shipment).where(Shipment.order_id == order_id)).one()
        assert shipment.tracking_number == result["tracking_number"]

    status = await asyncio.to_thread(
        order_saga, "status", order_id, "-o", "json", "--address", dev_server, env=cli_env
    )
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == "COMPLETED"

    again = await asyncio.to_thread(order_saga, *args, env=cli_env)
    assert again.returncode == 1
    assert "already has a saga" in again.stderr
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku) == 1  # nothing reserved twice


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [*CUSTOMER, "--item", "prod-456:0:19.99", *ADDRESS],
            "--item #1 quantity: Input should be greater than or equal to 1",
        ),
        (
            [*CUSTOMER, "--item", "prod-456:1:19.999", *ADDRESS],
            "--item #1 unit_price",
        ),
        (
            [*CUSTOMER, "--item", "prod-456:1:19.99", "--currency", "xyz", *ADDRESS],
            "--currency: ",
        ),
        (
            [*CUSTOMER, "--item", "prod-456:1:19.99", "--payment-method", "4242", *ADDRESS],
            "--payment-method: ",
        ),
        ([*CUSTOMER, *ADDRESS], "missing --item"),
    ],
)
def test_bad_input_is_one_line_naming_the_flag(
    args: list[str], message: str, cli_env: dict[str, str]
) -> None:
    # An unreachable address proves validation happens before any connection.
    done = order_saga("start", *args, "--address", "127.0.0.1:1", env=cli_env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("order-saga: invalid order: ") and message in done.stderr


def test_bad_json_and_unreachable_server_are_one_line(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    done = order_saga("start", "--order-file", str(broken), env=cli_env)
    assert (done.returncode, done.stderr.count("\n")) == (1, 1)
    assert "invalid JSON" in done.stderr

    done = order_saga("status", "o-1", "--address", f"127.0.0.1:{free_port()}", env=cli_env)
    assert (done.returncode, done.stderr.count("\n")) == (1, 1)
    assert "cannot reach Temporal" in done.stderr


def test_every_problem_is_a_line_naming_its_flag(cli_env: dict[str, str]) -> None:
    done = order_saga(
        "start", *CUSTOMER, "--item", "prod-456:0:19.99", "--city", "Springfield",
        "--address", "127.0.0.1:1", env=cli_env,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "order-saga: invalid order: --item #1 quantity: Input should be greater than or equal to 1",
        "order-saga: invalid order: missing --street",
        "order-saga: invalid order: missing --zip-code",
    ]


def test_resolve_without_an_action_is_a_usage_error(cli_env: dict[str, str]) -> None:
    done = order_saga("resolve", "o-1", "--address", "127.0.0.1:1", env=cli_env)
    assert done.returncode == 2 and "say --retry or --mark-resolved" in done.stderr
    assert "Value error" not in order_saga("list", "-o", "xml", env=cli_env).stderr


def test_the_example_order_file_is_an_order_and_a_file_follows_the_apis_rule(
    tmp_path: Path,
) -> None:
    example = Path(__file__).parents[3] / "examples" / "order.json"
    example_order = OrderRequest.model_validate(read_order(example, {}))
    assert (example_order.order_id, example_order.customer_email) == ("o-123", "jane@example.com")
    # A file is the HTTP API's body: what the API refuses, the file refuses too (the flags'
    # defaults are for a person typing an order).
    short = tmp_path / "short.json"
    item = {"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}
    address = {"street": "1 Main St", "city": "X", "zip_code": "1"}
    short.write_text(
        json.dumps({"customer_id": "c1", "items": [item], "shipping_address": address})
    )
    with pytest.raises(ValidationError) as refused:
        OrderRequest.model_validate(read_order(short, {}))
    missing = {".".join(map(str, e["loc"])) for e in refused.value.errors()}
    assert missing == {"payment_method", "shipping_address.country"}
    from_flags = OrderRequest.model_validate(
        order_from_flags({"customer_id": "c1", "item": ["prod-456:1:19.99"], "street": "1 Main St",
                          "city": "X", "zip_code": "1", "customer_email": "c1@example.com"})
    )  # fmt: skip
    assert from_flags.customer_email == "c1@example.com"  # --customer-email
    assert (from_flags.payment_method, from_flags.shipping_address.country) == (
        "pm_card_visa", "US"
    )  # fmt: skip
