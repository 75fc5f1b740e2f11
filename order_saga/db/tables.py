"""Every service's tables in one metadata, for migrations: each service owns its own."""

from sqlmodel import SQLModel

from activities.inventory.tables import InventoryReservation, Product
from activities.payment.tables import Payment
from activities.shipment.tables import Shipment

__all__ = ["METADATA", "InventoryReservation", "Payment", "Product", "Shipment"]

METADATA = SQLModel.metadata
