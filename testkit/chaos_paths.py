"""A chaos run's paths: each way an order can go through the saga, with what it should end
as and what the customer or the shop does to it on the way."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workflows.order_request import OrderRequest
from workflows.order_state import SagaState


@dataclass(frozen=True)
class SagaPath:
    label: str
    weight: int
    payment_method: str
    country: str
    expected: SagaState
    cancel: bool = False
    # Captured before pickup (a capture window shorter than the wait), so a cancel refunds.
    capture_first: bool = False
    # The bank asks for 3-D Secure: the customer answers its page "complete" or "fail", or
    # "abandon": leaves it, and the order is cancelled while it waits (nothing was held).
    authenticate: str | None = None
    # Once shipped, items come back: "all" of them, "one" unit, or all of them in two returns
    # opened at once ("race": one is refused).
    returned: str | None = None
    # The bank disputes the charge once captured; the shop's evidence closes it "won"/"lost".
    disputed: str | None = None
    # The risk rules hold the order (its customer's limit); an operator decides "approve" or
    # "decline" while it waits.
    review: str | None = None
    # The customer amends it while it waits for pickup: a new "address", or fewer units
    # ("lines": one unit of its first line, captured for less).
    amend: str | None = None
    # Its lines come from two warehouses: a home SKU and one only the east holds, so it ships
    # in two parcels ("both"), or to a country the carrier does not serve from the east
    # (UNSERVED_FROM=east:CA, "home only": the east parcel does not ship).
    split: str | None = None


DISPUTED = "pm_card_createDispute"  # Stripe's test card: disputed as soon as it is charged
MIX = (
    SagaPath("success", 5, "pm_card_visa", "US", SagaState.COMPLETED),
    SagaPath("returned in full", 1, "pm_card_visa", "US", SagaState.COMPLETED, returned="all"),
    SagaPath("one unit returned", 1, "pm_card_visa", "US", SagaState.COMPLETED, returned="one"),
    SagaPath("returns racing", 1, "pm_card_visa", "US", SagaState.COMPLETED, returned="race"),
    SagaPath("disputed, won", 1, DISPUTED, "US", SagaState.COMPLETED, disputed="won"),
    SagaPath("disputed, lost", 1, DISPUTED, "US", SagaState.COMPLETED, disputed="lost"),
    SagaPath("held, approved", 1, "pm_card_visa", "US", SagaState.COMPLETED, review="approve"),
    SagaPath("held, declined", 1, "pm_card_visa", "US", SagaState.COMPENSATED, review="decline"),
    SagaPath("address amended", 1, "pm_card_visa", "US", SagaState.COMPLETED, amend="address"),
    SagaPath("fewer units", 1, "pm_card_visa", "US", SagaState.COMPLETED, amend="lines"),
    SagaPath("two parcels", 1, "pm_card_visa", "US", SagaState.COMPLETED, split="both"),
    SagaPath(
        "one parcel refused",
        1,
        "pm_card_visa",
        "CA",
        SagaState.PARTIALLY_SHIPPED,
        split="home only",
    ),
    SagaPath("card declined", 1, "pm_card_chargeDeclined", "US", SagaState.COMPENSATED),
    SagaPath(
        "insufficient funds",
        1,
        "pm_card_chargeDeclinedInsufficientFunds",
        "US",
        SagaState.COMPENSATED,
    ),
    SagaPath("expired card", 1, "pm_card_chargeDeclinedExpiredCard", "US", SagaState.COMPENSATED),
    SagaPath("fraudulent", 1, "pm_card_chargeDeclinedFraudulent", "US", SagaState.COMPENSATED),
    SagaPath("shipment refused", 2, "pm_card_visa", "AQ", SagaState.COMPENSATED),
    SagaPath(
        "refund refused",
        1,
        "pm_card_refundFail",
        "US",
        SagaState.COMPENSATION_FAILED,
        cancel=True,
        capture_first=True,
    ),
    SagaPath("cancelled at pickup", 2, "pm_card_visa", "US", SagaState.CANCELLED, cancel=True),
    SagaPath(
        "refunded after capture",
        1,
        "pm_card_visa",
        "US",
        SagaState.CANCELLED,
        cancel=True,
        capture_first=True,
    ),
    SagaPath(
        "refund pending, then settled",
        1,
        "pm_card_pendingRefund",
        "US",
        SagaState.CANCELLED,
        cancel=True,
        capture_first=True,
    ),
    SagaPath(
        "3-D Secure completed",
        1,
        "pm_card_threeDSecure2Required",
        "US",
        SagaState.COMPLETED,
        authenticate="complete",
    ),
    SagaPath(
        "3-D Secure failed",
        1,
        "pm_card_authenticationRequired",
        "US",
        SagaState.COMPENSATED,
        authenticate="fail",
    ),
    SagaPath(
        "3-D Secure abandoned",
        1,
        "pm_card_threeDSecure2Required",
        "US",
        SagaState.CANCELLED,
        authenticate="abandon",
    ),
)


# The worker's carrier for a chaos run: nothing from the east warehouse to Canada.
UNSERVED_FROM = "east:CA"


def expected_total(path: SagaPath, order: OrderRequest) -> Decimal:
    """What the order should take: its total, or only its home line's when the east parcel
    cannot ship."""
    if path.split == "home only":
        home = order.items[0]
        return home.unit_price * home.quantity
    return order.total
