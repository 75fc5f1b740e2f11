"""A chaos run's orders, drawn by weight from the saga's paths (`chaos_paths.py`), and the
customer whose every order the risk rules hold."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Engine

from activities.database import transaction
from activities.inventory.stock import set_stock
from activities.inventory.tables import Product
from activities.risk import admin
from testkit.chaos_paths import MIX, SagaPath
from workflows.order_request import OrderRequest


def held_customer(run: str) -> str:
    """The run's customer whose every order the risk rules hold (`hold_for_review`)."""
    return f"held-{run}"


def hold_for_review(engine: Engine, run: str) -> None:
    """A spending limit the held customer's every order passes: each waits for a person."""
    with transaction(engine) as session:
        admin.set_limit(session=session, customer_id=held_customer(run), currency="usd",
                        amount=Decimal("0.01"), window_hours=24, by="chaos")  # fmt: skip


def stock_up(
    engine: Engine, run: str, units: int, price: Decimal
) -> tuple[list[str], list[str], dict[str, int]]:
    """Five SKUs at home and two only the east warehouse holds, `units` of each; and the
    stock the books start from, per SKU and warehouse (`order_saga.audit_returns.stock_key`)."""
    home = [f"chaos-{run}-{n}" for n in range(5)]
    east = [f"chaos-{run}-east-{n}" for n in range(2)]
    with transaction(engine) as session:
        session.add_all(
            [Product(sku=s, name=s, unit_price=price, stock=units) for s in home]
            + [Product(sku=s, name=s, unit_price=price, stock=0) for s in east]
        )
    with transaction(engine) as session:
        for sku in east:
            set_stock(session=session, sku=sku, warehouse="east", units=units)
    initial = {**dict.fromkeys(home, units), **dict.fromkeys(east, 0)}
    return home, east, initial | {f"{sku}@east": units for sku in east}


def order_mix(
    count: int,
    skus: Sequence[str],
    price: Decimal,
    run: str,
    seed: int = 1,
    mail: bool = True,
    east_skus: Sequence[str] = (),
) -> list[tuple[SagaPath, OrderRequest]]:
    """`count` orders cycling through MIX by weight, each of one or two SKUs (a split one:
    a home SKU, then one of `east_skus`); with `mail`, each carries its customer's address."""
    rng = random.Random(seed)
    cycle = [path for path in MIX for _ in range(path.weight)]
    orders = []
    for index in range(count):
        path = cycle[index % len(cycle)]
        lines = rng.sample(list(skus), k=min(len(skus), rng.randint(1, 2)))
        if path.split:
            lines = [rng.choice(list(skus)), rng.choice(list(east_skus))]
        orders.append(
            (
                path,
                OrderRequest.model_validate(
                    {
                        "order_id": f"chaos-{run}-{index}",
                        "customer_id": held_customer(run) if path.review else f"cust-{index % 7}",
                        **({"customer_email": f"cust-{index % 7}@example.com"} if mail else {}),
                        "items": [
                            {
                                "sku": s,
                                "quantity": 3 if path.amend else rng.randint(1, 3),
                                "unit_price": str(price),
                            }
                            for s in lines
                        ],
                        "payment_method": path.payment_method,
                        "shipping_address": {
                            "street": "1 Main St",
                            "city": "Springfield",
                            "zip_code": "62701",
                            "country": path.country,
                        },
                        # An amended order's carrier comes in time for the amendment.
                        "handover_delay_seconds": 3600 if path.cancel else 40 * bool(path.amend),
                        "capture_window_seconds": 1 if path.capture_first else 6 * 86400,
                    }
                ),
            )
        )
    return orders
