"""The stubs of what stands before the carrier: the risk check, an amendment's re-booking and
its smaller reservation; `Stubs` (stub_activities.py) takes them in."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.inventory.contracts import ShrinkReservationInput, ShrinkResult
from activities.risk.contracts import AssessRiskInput, RiskAssessed
from activities.shipment.contracts import RebookShipmentInput, ShipmentResult


class BeforeTheCarrier:
    """What a test scripts of these: the risk rules' verdict, a re-booking held at a gate,
    and what each call was asked."""

    calls: Counter[str]
    shipped_to: list[str]
    amounts: dict[str, Decimal]

    def __init__(self) -> None:
        self.review_reasons: list[str] = []  # the risk rules hold the order for these
        self.blocked = False  # the risk rules decline the customer
        self.review_within = 3600  # seconds a held order waits for a person
        self.rebook_gate: asyncio.Event | None = None  # holds a re-booking until set
        self.shrunk: list[dict[str, int]] = []  # each reservation shrink's new quantities

    def _maybe_fail(self, name: str) -> None:
        raise NotImplementedError

    def before_the_carrier(self) -> list[object]:
        @activity.defn(name="assess_risk")
        async def assess_risk(req: AssessRiskInput) -> RiskAssessed:
            self._maybe_fail("assess_risk")
            if self.blocked:
                raise ApplicationError(
                    "the customer is blocked", type="RiskBlocked", non_retryable=True
                )
            reasons = list(self.review_reasons)
            return RiskAssessed(
                order_id=req.order_id,
                verdict="review" if reasons else "pass",
                reasons=reasons,
                review_within_seconds=self.review_within if reasons else 0,
            )

        @activity.defn(name="rebook_shipment")
        async def rebook(req: RebookShipmentInput) -> ShipmentResult:
            self._maybe_fail("rebook_shipment")
            if self.rebook_gate is not None:
                await self.rebook_gate.wait()
            if req.address.country == "AQ":
                raise ApplicationError("no carrier", type="ShipmentRejected", non_retryable=True)
            self.shipped_to.append(req.address.city)
            number = f"1Z{len(self.shipped_to)}"
            return ShipmentResult(shipment_id="shp_1", carrier="ACME", tracking_number=number)

        @activity.defn(name="shrink_reservation")
        async def shrink(req: ShrinkReservationInput) -> ShrinkResult:
            self._maybe_fail("shrink_reservation")
            self.shrunk.append({line.sku: line.quantity for line in req.lines})
            return ShrinkResult(order_id=req.order_id, released_units=1)

        return [assess_risk, rebook, shrink]
