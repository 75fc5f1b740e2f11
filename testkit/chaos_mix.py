"""A chaos run's orders: a mix down every path of the saga, each order with what it should
end as and what the customer or the shop does to it on the way."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine

from activities.database import transaction
from activities.risk import admin
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


def held_customer(run: str) -> str:
    """The run's customer whose every order the risk rules hold (`hold_for_review`)."""
    return f"held-{run}"


def hold_for_review(engine: Engine, run: str) -> None:
    """A spending limit the held customer's every order passes: each waits for a person."""
    with transaction(engine) as session:
        admin.set_limit(session=session, customer_id=held_customer(run), currency="usd",
                        amount=Decimal("0.01"), window_hours=24, by="chaos")  # fmt: skip


def order_mix(
    count: int, skus: Sequence[str], price: Decimal, run: str, seed: int = 1, mail: bool = True
) -> list[tuple[SagaPath, OrderRequest]]:
    """`count` orders cycling through MIX by weight, each of one or two SKUs; with `mail`,
    each carries its customer's address."""
    rng = random.Random(seed)
    cycle = [path for path in MIX for _ in range(path.weight)]
    orders = []
    for index in range(count):
        path = cycle[index % len(cycle)]
        lines = rng.sample(list(skus), k=min(len(skus), rng.randint(1, 2)))
        orders.append(
            (
                path,
                OrderRequest.model_validate(
                    {
                        "order_id": f"chaos-{run}-{index}",
                        "customer_id": held_customer(run) if path.review else f"cust-{index % 7}",
                        **({"customer_email": f"cust-{index % 7}@example.com"} if mail else {}),
                        "items": [
                            {
                                "sku": s,
                                "quantity": 3 if path.amend else rng.randint(1, 3),
                                "unit_price": str(price),
                            }
                            for s in lines
                        ],
                        "payment_method": path.payment_method,
                        "shipping_address": {
                            "street": "1 Main St",
                            "city": "Springfield",
                            "zip_code": "62701",
                            "country": path.country,
                        },
                        # An amended order's carrier comes in time for the amendment.
                        "handover_delay_seconds": 3600 if path.cancel else 40 * bool(path.amend),
                        "capture_window_seconds": 1 if path.capture_first else 6 * 86400,
                    }
                ),
            )
        )
    return orders
