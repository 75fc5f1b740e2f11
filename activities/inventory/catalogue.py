"""The demo catalogue, seeded into a fresh database so the demo has something to sell."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session

from activities.inventory.tables import Product

DEMO_CATALOGUE: tuple[Product, ...] = (
    Product(sku="prod-456", name="Espresso cups (pair)", unit_price=Decimal("19.99"), stock=1000),
    Product(sku="prod-789", name="Pour-over kettle", unit_price=Decimal("49.50"), stock=500),
    Product(sku="prod-123", name="Burr grinder", unit_price=Decimal("129.00"), stock=200),
    Product(
        sku="prod-limited", name="Signed print (sold out)", unit_price=Decimal("250.00"), stock=0
    ),
)


def stocked_prices() -> dict[str, str]:
    """The demo products that have stock, with their prices: what a load run orders."""
    return {p.sku: str(p.unit_price) for p in DEMO_CATALOGUE if p.stock}


def seed_catalogue(engine: Engine) -> int:
    """Add demo products that are missing; existing rows and their stock are left alone."""
    added = 0
    with Session(engine) as session, session.begin():
        for product in DEMO_CATALOGUE:
            if session.get(Product, product.sku) is None:
                session.add(Product.model_validate(product.model_dump()))
                added += 1
    return added
