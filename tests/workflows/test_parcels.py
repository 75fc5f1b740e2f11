"""An order from two warehouses on the time-skipping server, with the real activities and
database: two parcels, each booked and captured on its own (multicapture); one the carrier
will not take from its warehouse gives back its own stock and money alone (the order ends
PARTIALLY_SHIPPED); none taken, the order is undone as any failed step's."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlmodel import select

from activities.database import transaction
from activities.inventory.stock import stock_of
from activities.shipment.tables import Shipment
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order
from tests.workflows.saga_runs import payment_row, run_saga
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.parcel_state import ParcelState


def on_hand(engine, sku: str, warehouse: str = "main") -> int | None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        return stock_of(session=session, sku=sku, warehouse=warehouse)


def parcels(engine, order_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        rows = session.exec(select(Shipment).where(Shipment.order_id == order_id))
        return {row.warehouse: row.status for row in rows}


def two_warehouse_order(
    make_product: Callable[..., str], country: str = "US", **changes: object
) -> tuple[OrderRequest, str, str]:
    """Two cups from home (5 held), a kettle only the east holds (3): two parcels."""
    cups = make_product(stock=5, price="19.99")
    kettle = make_product(stock=0, price="49.50", elsewhere={"east": 3})
    request = order((cups, 2, "19.99"), (kettle, 1, "49.50"), country=country)
    return request.model_copy(update=changes), cups, kettle


def parcel_worker(env, engine, stripe_server, queue_prefix: str, placement, **more: object):  # type: ignore[no-untyped-def]
    """A worker of every service, its settings `more` (the carrier's routes, say)."""
    settings = Settings(
        stripe_api_base=stripe_server[1], queue_prefix=queue_prefix, placement=placement, **more
    )
    return build_worker(env.client, settings=settings, engine=engine)


async def test_two_warehouses_ship_two_parcels_each_captured_at_its_pickup(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, cups, kettle = two_warehouse_order(make_product)

    result, activities = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement
    )

    assert result.status == SagaState.COMPLETED
    assert result.total == Decimal("89.48")
    assert [(p.warehouse, p.state, p.amount) for p in result.parcels] == [
        ("main", ParcelState.HANDED_OVER, Decimal("39.98")),
        ("east", ParcelState.HANDED_OVER, Decimal("49.50")),
    ]
    assert activities.count("create_shipment") == 2
    assert activities.count("capture_payment") == 2
    assert parcels(engine, request.order_id) == {"main": "Created", "east": "Created"}
    assert (on_hand(engine, cups), on_hand(engine, kettle, "east")) == (3, 2)
    [intent] = stripe_server[0].ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("succeeded", 8948)
    keys = {key for _, _, key in stripe_server[0].requests if key and request.order_id in key}
    assert {f"{request.workflow_id}/main/capture", f"{request.workflow_id}/east/capture"} <= keys
    payment = payment_row(engine, request.order_id)
    assert payment is not None and (payment.status, payment.amount) == (
        "Captured",
        Decimal("89.48"),
    )


async def test_a_parcel_the_carrier_will_not_take_gives_back_its_own_stock_and_money(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, cups, kettle = two_warehouse_order(make_product, "CA")

    result, _ = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement,
        unserved_from={"east": frozenset({"CA"})},
    )  # fmt: skip

    assert result.status == SagaState.PARTIALLY_SHIPPED
    assert result.total == Decimal("39.98")  # what shipped, and all that was taken
    [home, east] = result.parcels
    assert (home.state, east.state) == (ParcelState.HANDED_OVER, ParcelState.NOT_SHIPPED)
    assert east.reason == "we cannot ship to the address given"
    assert parcels(engine, request.order_id) == {"main": "Created", "east": "Cancelled"}
    assert (on_hand(engine, cups), on_hand(engine, kettle, "east")) == (3, 3)
    [intent] = stripe_server[0].ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"], intent["amount_capturable"]) == (
        "succeeded",
        3998,
        0,
    )  # the east parcel's 49.50 released by the one capture, never taken
    payment = payment_row(engine, request.order_id)
    assert payment is not None and (payment.status, payment.amount) == (
        "Captured",
        Decimal("39.98"),
    )


async def test_no_parcel_taken_undoes_the_order(
    env, engine, stripe_server, queue_prefix, make_product: Callable[..., str], placement
) -> None:
    request, cups, kettle = two_warehouse_order(make_product, "CA")

    result, _ = await run_saga(
        env, engine, stripe_server, queue_prefix, request, placement,
        unserved_from={"east": frozenset({"CA"}), "main": frozenset({"CA"})},
    )  # fmt: skip

    assert result.status == SagaState.COMPENSATED
    assert (result.failed_step, result.error_type) == ("create_shipment", "ShipmentRejected")
    assert (on_hand(engine, cups), on_hand(engine, kettle, "east")) == (5, 3)
    assert set(parcels(engine, request.order_id).values()) == {"Cancelled"}
    [intent] = stripe_server[0].ledger.intents_of_order(request.order_id)
    assert (intent["status"], intent["amount_received"]) == ("canceled", 0)
