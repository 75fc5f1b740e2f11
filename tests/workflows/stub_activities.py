"""Stub activities registered under the real names, for saga tests that script each step."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.inventory.contracts import (
    PricedLine,
    ReleaseInventoryInput,
    ReleaseResult,
    ReservationResult,
    ReserveInventoryInput,
)
from activities.notification.contracts import MailSent, OrderMail
from activities.notification.events import (
    FIND_SUBSCRIBERS_ACTIVITY,
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
from activities.queues import SERVICES, queue
from activities.shipment.contracts import (
    CancelShipmentInput,
    CancelShipmentResult,
    CreateShipmentInput,
    ShipmentResult,
)
from order_saga.client import order_result
from order_saga.worker_group import WorkerGroup
from order_saga.worker_options import SANDBOX, activates, deployment
from tests.helpers import orders_queue
from workflows.customer_mail import NotifyCustomer
from workflows.event_delivery import DeliverOrderEvents
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult
from workflows.order_workflow import OrderSaga
from workflows.payment_void import VoidPaymentIntent
from workflows.placement import Placement


class Stubs:
    """Stand-ins for the services; each can fail a set number of times first."""

    def __init__(
        self, *, fail_first: dict[str, int] | None = None, reject_shipment: bool = False
    ) -> None:
        self.fail_first = fail_first or {}
        self.calls: Counter[str] = Counter()
        self.reject_shipment = reject_shipment
        self.shipment_gate: asyncio.Event | None = None
        self.shipment_started = asyncio.Event()
        self.authorize_only = False  # the saga created a manual-capture intent
        self.mails: list[OrderMail] = []  # what the customer was sent
        self.subscribers: list[int] = []  # the order-event subscribers the lookup finds
        self.events: list[OrderEvent] = []  # what was delivered to them

    def _maybe_fail(self, name: str) -> None:
        self.calls[name] += 1
        if self.calls[name] <= self.fail_first.get(name, 0):
            raise ApplicationError(f"{name}: 503 from upstream", type="GatewayError")

    def activities(self) -> list[object]:
        @activity.defn(name="reserve_inventory")
        async def reserve(req: ReserveInventoryInput) -> ReservationResult:
            self._maybe_fail("reserve_inventory")
            lines = [
                PricedLine(sku=i.sku, quantity=i.quantity, unit_price=i.unit_price)
                for i in req.items
            ]
            total = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
            return ReservationResult(
                order_id=req.order_id, lines=lines, total=total, currency=req.currency
            )

        @activity.defn(name="create_payment_intent")
        async def create_intent(req: CreatePaymentIntentInput) -> PaymentIntentResult:
            self._maybe_fail("create_payment_intent")
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
            )

        @activity.defn(name="capture_payment")
        async def capture(req: CapturePaymentInput) -> CaptureResult:
            self._maybe_fail("capture_payment")
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
        ]

    def with_overrides(self, **overrides: object) -> list[object]:
        """The stubs, with some replaced by activities of the same name."""
        return [overrides.get(name_of(a), a) for a in self.activities()]


def name_of(stub: object) -> str:
    """The activity name a stub is registered under."""
    return str(activity._Definition.must_from_callable(stub).name)  # type: ignore[arg-type]


def stub_worker(
    env: WorkflowEnvironment | Client,
    prefix: str,
    stubs: Stubs,
    cached: int = 100,
    activities: list[object] | None = None,
    *,
    build_id: str | None = None,
    saga: type = OrderSaga,
    placement: Placement = "per-service",
) -> WorkerGroup:
    """The saga (or a variant of it) on its orders queue, the stubs on every service queue
    (and in the saga's worker: colocated all of them, per service the subscriber lookup);
    with `build_id`, as that build of the Worker Deployment.

    Cached, as deployments run: uncached, a worker with two sagas in flight evicts one while
    its subscriber lookup (a local activity, in both placements) runs, drops the lookup's
    result, and the saga waits out its 30 s workflow task timeout (in real time, unless a
    client waits on a result). Replaying from scratch is `test_replay`'s job."""
    client = env if isinstance(env, Client) else env.client
    everything = activities or stubs.activities()
    # The subscriber lookup is the orders worker's own in both placements.
    lookup = [a for a in everything if name_of(a) == FIND_SUBSCRIBERS_ACTIVITY]
    local = {
        "activities": everything if placement == "colocated" else lookup,
        "no_remote_activities": True,
    }
    orders = Worker(
        client,
        task_queue=orders_queue(prefix),
        workflows=[saga, VoidPaymentIntent, NotifyCustomer, DeliverOrderEvents],
        workflow_runner=SANDBOX,
        max_cached_workflows=cached,
        patch_activation_callback=activates(placement),
        **local,
        **deployment(build_id),
    )
    services = [
        Worker(
            client,
            task_queue=queue(prefix, service),
            activities=everything,
            **deployment(build_id),
        )
        for service in SERVICES
        if service != "orders"
    ]
    return WorkerGroup([orders, *services])


async def run_stub_saga(
    env: WorkflowEnvironment,
    queue_prefix: str,
    stubs: Stubs,
    request: OrderRequest,
    placement: Placement = "per-service",
) -> tuple[OrderResult, WorkflowHandle[Any, Any]]:
    async with stub_worker(env, queue_prefix, stubs, placement=placement):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        return await order_result(handle), handle
