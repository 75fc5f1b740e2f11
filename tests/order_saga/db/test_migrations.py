"""Migrations upgrade a database in place: running them again loses nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, inspect, text

from activities.database import transaction
from activities.inventory.catalogue import DEMO_CATALOGUE, seed_catalogue
from activities.inventory.tables import Product
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade

PAYMENT_COLUMNS = {
    "payment_id",
    "order_id",
    "transaction_id",
    "amount",
    "payment_method",
    "status",
    "gateway_response",
    "created_at",
    "updated_at",
    "workflow_id",  # the owning saga, beside the original design's columns
    "saga_run",  # and its run chain
}


def test_upgrade_keeps_existing_rows_and_builds_the_designed_schema(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'orders.db'}")
    upgrade(engine)
    assert seed_catalogue(engine) == len(DEMO_CATALOGUE)
    with transaction(engine) as session:
        session.add(Product(sku="kept", name="kept", unit_price=Decimal("1.50"), stock=7))

    upgrade(engine)
    assert seed_catalogue(engine) == 0

    with transaction(engine) as session:
        kept = session.get(Product, "kept")
        assert kept is not None and (kept.stock, kept.unit_price) == (7, Decimal("1.50"))
        assert session.execute(text("select version_num from alembic_version")).scalar() == "0010"
    columns = {c["name"] for c in inspect(engine).get_columns("payments")}
    assert columns == PAYMENT_COLUMNS
    keys = {c["name"] for c in inspect(engine).get_columns("api_keys")}
    assert keys == {
        "name",
        "role",
        "key_hash",
        "shown_prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    }  # fmt: skip  (a hash, never the key)
    assert any(i["unique"] for i in inspect(engine).get_indexes("api_keys"))
    subscribers = {c["name"] for c in inspect(engine).get_columns("webhook_subscribers")}
    assert subscribers == {"id", "url", "events", "secret", "created_at", "removed_at"}
    unique = inspect(engine).get_unique_constraints("payments")
    assert any(c["column_names"] == ["order_id"] for c in unique)
    returns = inspect(engine).get_unique_constraints("returns")
    assert any(c["column_names"] == ["order_id", "number"] for c in returns)  # one number each
    prices = {c["name"] for c in inspect(engine).get_columns("inventory_reservations")}
    assert {"unit_price", "currency"} <= prices  # what a return refunds
    shipments = {c["name"] for c in inspect(engine).get_columns("shipments")}
    assert "return_window_days" in shipments  # an order's own, past Temporal's retention
    keys_of_returns = inspect(engine).get_indexes("returns")
    assert any(
        i["unique"] and i["column_names"] == ["order_id", "request_key"] for i in keys_of_returns
    )
    engine.dispose()


def test_a_shipment_written_without_a_warehouse_is_the_home_parcel(db: Engine) -> None:
    """A build from before parcels (still draining) books without naming a warehouse: its
    shipment is the home parcel; an order holds one parcel per warehouse, never two."""
    shipment = f"s-{uuid.uuid4().hex[:12]}"
    with transaction(db) as session:
        session.execute(
            text(
                "insert into shipments (shipment_id, order_id, carrier, status, created_at,"
                " updated_at) values (:id, :id, 'ups', 'Created', :now, :now)"
            ),
            {"id": shipment, "now": datetime.now(UTC)},
        )
    with transaction(db) as session:
        warehouse = session.execute(
            text("select warehouse from shipments where shipment_id = :id"), {"id": shipment}
        ).scalar()
    assert warehouse == "main"
    unique = inspect(db).get_unique_constraints("shipments")
    assert [c["column_names"] for c in unique] == [["order_id", "warehouse"]]
