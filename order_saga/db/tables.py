"""Every service's tables in one metadata, for migrations: each service owns its own."""

from sqlmodel import SQLModel

from activities.inventory.tables import InventoryReservation, Product, Restock
from activities.notification.subscribers import WebhookSubscriber
from activities.payment.tables import Dispute, Payment
from activities.returns.tables import OrderReturn
from activities.risk.tables import RiskAssessment, RiskBlock, RiskLimit, RiskSwitch
from activities.shipment.tables import Shipment
from order_saga.access.api_keys import ApiKey

__all__ = [
    "METADATA",
    "ApiKey",
    "Dispute",
    "InventoryReservation",
    "OrderReturn",
    "Payment",
    "Product",
    "Restock",
    "RiskAssessment",
    "RiskBlock",
    "RiskLimit",
    "RiskSwitch",
    "Shipment",
    "WebhookSubscriber",
]

METADATA = SQLModel.metadata
