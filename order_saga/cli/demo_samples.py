"""The demo's orders: one down each path of the saga (the card, the items and the country
choose the path), and what its customer answers the bank's 3-D Secure page."""

from __future__ import annotations

import re

from workflows.order_request import OrderRequest

DEMO_EMAIL = "demo-customer@example.com"
ADDRESS = {"street": "123 Main St", "city": "Springfield", "state": "IL", "zip_code": "62701"}
SAMPLES: list[tuple[str, str, list[dict[str, object]], str]] = [
    # (label, payment method, items, country)
    (
        "authorized, captured at pickup",
        "pm_card_visa",
        [
            {"sku": "prod-456", "quantity": 2, "unit_price": "19.99"},
            {"sku": "prod-789", "quantity": 1, "unit_price": "49.50"},
        ],
        "US",
    ),
    (
        "card declined",
        "pm_card_chargeDeclined",
        [{"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}],
        "US",
    ),
    (
        "insufficient funds",
        "pm_card_chargeDeclinedInsufficientFunds",
        [{"sku": "prod-123", "quantity": 1, "unit_price": "129.00"}],
        "US",
    ),
    (
        "out of stock",
        "pm_card_visa",
        [{"sku": "prod-limited", "quantity": 1, "unit_price": "250.00"}],
        "US",
    ),
    (
        "shipment rejected",
        "pm_card_visa",
        [{"sku": "prod-789", "quantity": 2, "unit_price": "49.50"}],
        "AQ",
    ),
    (
        "3-D Secure completed",
        "pm_card_threeDSecure2Required",
        [{"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}],
        "US",
    ),
    (
        "3-D Secure failed",
        "pm_card_authenticationRequired",
        [{"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}],
        "US",
    ),
    (
        "3-D Secure abandoned",
        "pm_card_threeDSecure2Required",
        [{"sku": "prod-456", "quantity": 1, "unit_price": "19.99"}],
        "US",
    ),
]
# What the demo's customer does on the bank's 3-D Secure page, per path: completes it, fails
# it, or leaves it (and the shop cancels the order: nothing was ever held).
ANSWERS = {
    "3-D Secure completed": "complete",
    "3-D Secure failed": "fail",
    "3-D Secure abandoned": "abandon",
}


def sample_orders(run_id: str) -> list[tuple[str, OrderRequest]]:
    """One order per path of the saga, with ids unique to this demo run."""
    return [
        (
            label,
            OrderRequest.model_validate(
                {
                    "order_id": f"demo-{run_id}-{re.sub('[^A-Za-z0-9]+', '-', label)}",
                    "customer_id": "cust-demo",
                    "customer_email": DEMO_EMAIL,
                    "items": items,
                    "currency": "usd",
                    "payment_method": payment_method,
                    "shipping_address": {**ADDRESS, "country": country},
                }
            ),
        )
        for label, payment_method, items, country in SAMPLES
    ] + [
        (
            "cancelled",
            OrderRequest.model_validate(
                {
                    "order_id": f"demo-{run_id}-cancelled",
                    "customer_id": "cust-demo",
                    "customer_email": DEMO_EMAIL,
                    "items": [{"sku": "prod-123", "quantity": 1, "unit_price": "129.00"}],
                    "payment_method": "pm_card_visa",
                    "shipping_address": {**ADDRESS, "country": "US"},
                    "handover_delay_seconds": 3600,  # cancelled long before pickup
                }
            ),
        )
    ]
