"""An order from the command line: a JSON file, or flags with defaults, never both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from order_saga.cli import CliError
from order_saga.field_errors import field_errors

ORDER_DEFAULTS = {"currency": "usd", "payment_method": "pm_card_visa", "country": "US"}
# The flag that gives each field of an order, for problems said in the user's words.
FLAG_OF = {
    "order_id": "order_id",
    "customer_id": "customer_id",
    "customer_email": "customer_email",
    "items": "item",
    "currency": "currency",
    "payment_method": "payment_method",
    **{
        f"shipping_address.{key}": key for key in ("street", "city", "state", "zip_code", "country")
    },
}


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
    for optional in ("order_id", "customer_email"):
        if optional in given:
            data[optional] = given[optional]
    return data


def order_problems(err: ValidationError, flags: dict[str, Any] | None) -> list[str]:
    """One line a problem: named by field for a file, by flag for flags (`missing --street`
    for a flag not given)."""
    problems = []
    for field, message in field_errors(err.errors(), "order"):
        if flags is None:
            problems.append(f"{field}: {message}")
            continue
        head, _, rest = field.partition(".") if field.startswith("items.") else (field, "", "")
        name = FLAG_OF.get(head)
        if name is None:
            problems.append(f"{field}: {message}")
            continue
        flag = f"--{name.replace('_', '-')}"
        if rest:  # items.0.quantity: the first --item's quantity
            index, _, part = rest.partition(".")
            problems.append(f"{flag} #{int(index) + 1} {part}: {message}")
        elif not flags.get(name):
            problems.append(f"missing {flag}")
        else:
            problems.append(f"{flag}: {message}")
    return problems


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
    # A file is the HTTP API's body, one rule for both: what the API needs, it needs (the
    # flags' defaults are for a person typing an order, not for a document).
    data: dict[str, Any] = json.loads(order_file.read_text())
    return data
