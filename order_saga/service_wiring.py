"""Each service's activities, wired to what they need: the database, the Stripe client, the
one breaker in front of the gateway. The worker builds them for its queues (per service) or
for the saga's own worker (colocated)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client

from activities.inventory.activities import InventoryActivities
from activities.notification.activities import NotificationActivities
from activities.notification.webhook_activities import WebhookActivities
from activities.payment.activities import PaymentActivities
from activities.payment.breaker import GatewayBreaker
from activities.queues import Service
from activities.shipment.activities import ShipmentActivities
from order_saga.metrics import BreakerGauge
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client

# The services whose activities are the saga's steps and undos: colocated, the saga's worker
# runs them as local activities. The customer's mails always go through their own queue (a
# day of retries belongs in Temporal's queue, not in the saga's history), on async activities
# that take no thread.
STEP_SERVICES: tuple[Service, ...] = ("inventory", "payment", "shipment")


def service_activities(
    service: Service,
    *,
    client: Client,
    settings: Settings,
    engine: Engine,
    breaker: GatewayBreaker | None = None,
) -> list[Callable[..., Any]]:
    """The activities one service runs, wired to what they need."""
    if service == "inventory":
        inventory = InventoryActivities(engine)
        return [
            inventory.reserve_inventory,
            inventory.shrink_reservation,
            inventory.release_inventory,
            inventory.restock_return,
        ]
    if service == "payment":
        breaker = breaker or gateway_breaker(client, settings)
        payments = PaymentActivities(engine, make_stripe_client(settings), breaker)
        return [
            payments.create_payment_intent,
            payments.charge_payment,
            payments.check_charge,
            payments.capture_payment,
            payments.refund_payment,
            payments.refund_return,
        ]
    if service == "notification":
        mails = NotificationActivities(settings.smtp_server(), sender=settings.mail_from)
        webhooks = WebhookActivities(engine, policy=settings.webhook_targets())
        return [mails.send_order_mail, webhooks.deliver_order_event]
    if service == "shipment":
        shipments = ShipmentActivities(
            engine,
            carrier=settings.carrier,
            unserved_countries=settings.unserved_countries,
            unserved_from=settings.unserved_from,
        )
        return [shipments.create_shipment, shipments.rebook_shipment, shipments.cancel_shipment]
    return []


def gateway_breaker(client: Client, settings: Settings) -> GatewayBreaker:
    """The process's one breaker in front of the gateway, shared by whatever calls it."""
    return GatewayBreaker(
        fail_max=settings.breaker_fail_max,
        reset_timeout=timedelta(seconds=settings.breaker_reset_seconds),
        listeners=[BreakerGauge(client)],
    )
