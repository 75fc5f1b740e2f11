"""How an order reads in the Web UI: the static summary and details fixed at its start."""

from __future__ import annotations

from workflows.markdown import inert
from workflows.order_request import OrderRequest


def summary(order: OrderRequest) -> str:
    """One line for the workflow's header, e.g. `order o-123 · 2 items · 39.98 USD · cust-123`."""
    count = sum(item.quantity for item in order.items)
    items = f"{count} item{'s' if count != 1 else ''}"
    return f"order {order.order_id} · {items} · {order.total} {order.currency.upper()} · " + (
        inert(order.customer_id)
    )


def details(order: OrderRequest) -> str:
    """The order as markdown: its lines and the country it ships to (no address: summaries
    are readable by anyone with the Web UI, even where payloads are encrypted)."""
    currency = order.currency.upper()
    # A list, not a table: the Web UI draws a table's cells with no space between them.
    lines = [
        f"- {inert(i.sku)}: {i.quantity} at {i.unit_price} {currency} each" for i in order.items
    ]
    lines += [
        "",
        f"**Total** {order.total} {currency} · **customer** {inert(order.customer_id)} · "
        f"**ships to** {order.shipping_address.country}",
    ]
    return "\n".join(lines)
