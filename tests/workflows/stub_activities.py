"""Stub activities registered under the real names, for saga tests that script each step."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.inventory.contracts import (
    PricedLine,
    ReleaseInventoryInput,
    ReleaseResult,
    ReservationResult,
    ReserveInventoryInput,
)
from activities.notification.contracts import MailSent, OrderMail
from activities.notification.events import (
    DeliverEventInput,
    Delivery,
    FindSubscribersInput,
    OrderEvent,
    Subscribers,
)
from activities.payment.contracts import (
    CapturePaymentInput,
    CaptureResult,
    ChargePaymentInput,
    ChargeResult,
    CreatePaymentIntentInput,
    PaymentIntentResult,
    RefundPaymentInput,
    RefundResult,
)
from activities.shipment.contracts import (
    CancelShipmentInput,
    CancelShipmentResult,
    CreateShipmentInput,
    ShipmentResult,
)
from tests.workflows.stub_before_carrier import BeforeTheCarrier


class Stubs(BeforeTheCarrier):
    """Stand-ins for the services; each can fail a set number of times first."""

    def __init__(
        self, *, fail_first: dict[str, int] | None = None, reject_shipment: bool = False
    ) -> None:
        self.fail_first = fail_first or {}
        self.calls: Counter[str] = Counter()
        self.log: list[str] = []  # every call, in the order the stubs were called
        self.reject_shipment = reject_shipment
        self.shipment_gate: asyncio.Event | None = None
        self.shipment_started = asyncio.Event()
        self.authorize_only = False  # the saga created a manual-capture intent
        self.mails: list[OrderMail] = []  # what the customer was sent
        self.subscribers: list[int] = []  # the order-event subscribers the lookup finds
        self.events: list[OrderEvent] = []  # what was delivered to them
        self.amounts: dict[str, Decimal] = {}  # what the intent asked for, what was captured
        self.shipped_to: list[str] = []  # each booking's and re-booking's city, in order
        self.warehouses: dict[str, str] = {}  # a SKU's warehouse when not the home one
        self.multicapture = True  # the card may be captured a parcel at a time
        self.captures: list[tuple[Decimal, bool]] = []  # each capture: amount, final
        BeforeTheCarrier.__init__(self)

    def _maybe_fail(self, name: str) -> None:
        self.calls[name] += 1
        self.log.append(name)
        if self.calls[name] <= self.fail_first.get(name, 0):
            raise ApplicationError(f"{name}: 503 from upstream", type="GatewayError")

    def activities(self) -> list[object]:
        @activity.defn(name="reserve_inventory")
        async def reserve(req: ReserveInventoryInput) -> ReservationResult:
            self._maybe_fail("reserve_inventory")
            lines = [
                PricedLine(
                    sku=i.sku,
                    quantity=i.quantity,
                    unit_price=i.unit_price,
                    warehouse=self.warehouses.get(i.sku, "main"),
                )
                for i in req.items
            ]
            total = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
            return ReservationResult(
                order_id=req.order_id, lines=lines, total=total, currency=req.currency
            )

        @activity.defn(name="create_payment_intent")
        async def create_intent(req: CreatePaymentIntentInput) -> PaymentIntentResult:
            self._maybe_fail("create_payment_intent")
            self.amounts["create_payment_intent"] = req.amount
            self.authorize_only = req.capture_method == "manual"
            return PaymentIntentResult(payment_id="pay_1", payment_intent_id="pi_1")

        @activity.defn(name="charge_payment")
        async def charge(req: ChargePaymentInput) -> ChargeResult:
            self._maybe_fail("charge_payment")
            return ChargeResult(
                payment_id="pay_1",
                payment_intent_id="pi_1",
                amount=req.amount,
                currency=req.currency,
                authorized_only=self.authorize_only,
                multicapture=self.multicapture,
            )

        @activity.defn(name="capture_payment")
        async def capture(req: CapturePaymentInput) -> CaptureResult:
            self._maybe_fail("capture_payment")
            self.amounts["capture_payment"] = req.amount
            self.captures.append((req.amount, req.final))
            return CaptureResult(
                payment_id="pay_1",
                payment_intent_id=req.payment_intent_id,
                amount=req.amount,
                currency=req.currency,
            )

        @activity.defn(name="create_shipment")
        async def ship(req: CreateShipmentInput) -> ShipmentResult:
            self._maybe_fail("create_shipment")
            self.shipment_started.set()
            if self.shipment_gate is not None:
                await self.shipment_gate.wait()
            if self.reject_shipment:
                raise ApplicationError("no carrier", type="ShipmentRejected", non_retryable=True)
            self.shipped_to.append(req.address.city)
            return ShipmentResult(shipment_id="shp_1", carrier="ACME", tracking_number="1Z1")

        @activity.defn(name="cancel_shipment")
        async def cancel(req: CancelShipmentInput) -> CancelShipmentResult:
            self._maybe_fail("cancel_shipment")
            return CancelShipmentResult(order_id=req.order_id, cancelled=True)

        @activity.defn(name="refund_payment")
        async def refund(req: RefundPaymentInput) -> RefundResult:
            self._maybe_fail("refund_payment")
            return RefundResult(order_id=req.order_id, action="refunded", refund_id="re_1")

        @activity.defn(name="release_inventory")
        async def release(req: ReleaseInventoryInput) -> ReleaseResult:
            self._maybe_fail("release_inventory")
            return ReleaseResult(order_id=req.order_id, released_units=1)

        @activity.defn(name="send_order_mail")
        async def mail(req: OrderMail) -> MailSent:
            self._maybe_fail("send_order_mail")
            self.mails.append(req)
            return MailSent(order_id=req.order_id, kind=req.kind, message_id=f"<{req.kind}@t>")

        @activity.defn(name="find_subscribers")
        async def find_subscribers(req: FindSubscribersInput) -> Subscribers:
            return Subscribers(ids=list(self.subscribers))

        @activity.defn(name="deliver_order_event")
        async def deliver(req: DeliverEventInput) -> Delivery:
            self.events.append(req.event)
            return Delivery(subscriber_id=req.subscriber_id, event_id=req.event.id, delivered=True)

        return [
            reserve,
            create_intent,
            charge,
            ship,
            cancel,
            refund,
            release,
            capture,
            mail,
            find_subscribers,
            deliver,
            *self.before_the_carrier(),
        ]

    async def subscriber_ids(self) -> list[int]:
        """The subscribers the saga's hand-over finds."""
        return list(self.subscribers)

    def with_overrides(self, **overrides: object) -> list[object]:
        """The stubs, with some replaced by activities of the same name."""
        return [overrides.get(name_of(a), a) for a in self.activities()]


def name_of(stub: object) -> str:
    """The activity name a stub is registered under."""
    return str(activity._Definition.must_from_callable(stub).name)  # type: ignore[arg-type]
