"""Every service's tables in one metadata, for migrations: each service owns its own."""

from sqlmodel import SQLModel

from activities.inventory.tables import InventoryReservation, Product
from activities.notification.subscribers import WebhookSubscriber
from activities.payment.tables import Payment
from activities.shipment.tables import Shipment
from order_saga.access.api_keys import ApiKey

__all__ = [
    "METADATA",
    "ApiKey",
    "InventoryReservation",
    "Payment",
    "Product",
    "Shipment",
    "WebhookSubscriber",
]

METADATA = SQLModel.metadata
