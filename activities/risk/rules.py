"""How an order's risk is judged, apart from where the rules are kept."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from activities.failures import BusinessError


class RiskBlocked(BusinessError):
    """The customer (or their address) is on the blocklist: declined before money moves."""

    type = "RiskBlocked"


@dataclass(frozen=True)
class Rules:
    """What the database says about one order's customer, read in one transaction."""

    blocked: str | None  # what is blocked: "customer" or "email"
    hold: bool  # every new order is held
    limit: Decimal | None  # in the order's currency, over `window_hours`
    window_hours: int
    spent: Decimal  # the customer's other orders in the window, in the order's currency


def reasons_to_review(rules: Rules, amount: Decimal, currency: str) -> list[str]:
    """Why a person must look at the order before its money moves; none, it passes. The
    customer may read them (their order's status): no operator's note shows, only which
    rule (`order-saga risk show` has the notes)."""
    if rules.blocked is not None:
        whose = "e-mail address" if rules.blocked == "email" else "customer id"
        raise RiskBlocked(f"the customer's {whose} is on the blocklist")
    reasons = []
    if rules.hold:
        reasons.append("new orders are held for review (the hold switch is on)")
    if rules.limit is not None and rules.spent + amount > rules.limit:
        money = currency.upper()
        reasons.append(
            f"{rules.spent + amount} {money} in {rules.window_hours} h "
            f"(this order {amount} {money}) is over the limit of {rules.limit} {money}"
        )
    return reasons
