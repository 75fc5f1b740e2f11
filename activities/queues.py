"""Task queues: one per service, named from one prefix so every deployment agrees on them.

The saga runs on `<prefix>-orders`; inventory, payment and shipment activities run on
`<prefix>-inventory`, `<prefix>-payment` and `<prefix>-shipment`, the customer's mails on
`<prefix>-notification`, so each service can be scaled and deployed on its own.
"""

from __future__ import annotations

from typing import Literal

Service = Literal["orders", "inventory", "payment", "shipment", "notification"]
SERVICES: tuple[Service, ...] = ("orders", "inventory", "payment", "shipment", "notification")


def queue(prefix: str, service: Service) -> str:
    """The task queue of `service` in the family named by `prefix`."""
    return f"{prefix}-{service}"


def prefix_of(orders_queue: str) -> str:
    """The prefix of the queue a saga runs on, so its activities go to the same family."""
    return orders_queue.removesuffix("-orders")
