"""An order from the command line: a JSON file, or flags with defaults, never both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from order_saga.cli import CliError

ORDER_DEFAULTS = {"currency": "usd", "payment_method": "pm_card_visa", "country": "US"}


def parse_item(text: str) -> dict[str, Any]:
    """`SKU:QUANTITY:UNIT_PRICE` from the command line, as order-item data."""
    sku, _, rest = text.partition(":")
    quantity, _, price = rest.partition(":")
    if not (sku and quantity and price):
        raise CliError(f"--item {text!r}: expected SKU:QUANTITY:UNIT_PRICE, e.g. prod-456:2:19.99")
    return {"sku": sku, "quantity": quantity, "unit_price": price}


def order_from_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """Order data from the order flags, with their defaults."""
    given = {**ORDER_DEFAULTS, **{k: v for k, v in flags.items() if v is not None}}
    data: dict[str, Any] = {
        "customer_id": given.get("customer_id"),
        "items": [parse_item(i) for i in given.get("item", [])],
        "currency": given["currency"],
        "payment_method": given["payment_method"],
        "shipping_address": {
            key: given.get(key, "") for key in ("street", "city", "state", "zip_code", "country")
        },
    }
    if "order_id" in given:
        data["order_id"] = given["order_id"]
    return data


def read_order(order_file: Path | None, flags: dict[str, Any]) -> dict[str, Any]:
    """The order's data from a file or from flags, never a mix of both."""
    if order_file is None:
        return order_from_flags(flags)
    mixed = [f"--{name.replace('_', '-')}" for name, value in flags.items() if value]
    if mixed:
        raise CliError(
            f"--order-file holds the whole order; {', '.join(mixed)} would be ignored: "
            "edit the file or drop --order-file"
        )
    data: dict[str, Any] = json.loads(order_file.read_text())
    return data
