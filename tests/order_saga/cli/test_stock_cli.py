"""`order-saga stock`: an operator says what each warehouse holds, sees it back, and a wrong
SKU or warehouse name is refused naming it, with nothing written."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from activities.database import transaction
from activities.inventory.stock import stock_of
from tests.processes import order_saga


def test_an_operator_sets_and_reads_each_warehouses_stock(
    cli_env: dict[str, str], engine: Engine, make_product
) -> None:  # type: ignore[no-untyped-def]
    sku = make_product(stock=3)

    done = order_saga("stock", "set", sku, "--warehouse", "east", "--units", "7", env=cli_env)
    again = order_saga("stock", "set", sku, "--warehouse", "east", "--units", "5", env=cli_env)
    shown = order_saga("stock", "show", sku, "--output", "json", env=cli_env)

    assert (done.returncode, again.returncode) == (0, 0), done.stderr + again.stderr
    assert json.loads(shown.stdout) == {"sku": sku, "warehouses": {"main": 3, "east": 5}}
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku, warehouse="east") == 5


def test_an_unknown_sku_or_a_bad_warehouse_name_is_refused_naming_it(
    cli_env: dict[str, str], engine: Engine, make_product
) -> None:  # type: ignore[no-untyped-def]
    sku = make_product(stock=3)

    unknown = order_saga("stock", "set", "no-such", "--warehouse", "east", env=cli_env)
    bad = order_saga("stock", "set", sku, "--warehouse", "<b>east</b>", "--units", "1", env=cli_env)

    assert unknown.returncode != 0 and "'no-such' is not in the catalogue" in unknown.stderr
    assert bad.returncode != 0 and "--warehouse" in bad.stderr
    with transaction(engine) as session:
        assert stock_of(session=session, sku=sku, warehouse="<b>east</b>") is None
