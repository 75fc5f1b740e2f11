"""The customers' mailbox after a run: which mail each order should have sent, and whether
each arrived exactly once in effect (one Message-ID; a send whose answer was lost may
arrive twice, as the same mail)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from order_saga.embedded.local_stripe.cards import AUTHENTICATION_REQUIRED
from order_saga.embedded.mailbox import Mailbox
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState

# The mail an order's end sends; an order waiting for a person has not ended, and its
# customer is told the return of their money is delayed.
OUTCOME_MAIL = {
    SagaState.COMPLETED: "confirmed",
    SagaState.PARTIALLY_SHIPPED: "confirmed",  # naming the parcel that could not ship
    SagaState.COMPENSATED: "undone",
    SagaState.CANCELLED: "undone",
    SagaState.EXPIRED: "undone",
    SagaState.RESOLVED: "undone",
    SagaState.COMPENSATION_FAILED: "delayed",
}


@dataclass
class MailBooks:
    expected: set[str] = field(default_factory=set)  # Message-IDs that should have arrived
    delivered: Counter[str] = field(default_factory=Counter)  # Message-ID -> deliveries

    @property
    def missing(self) -> set[str]:
        return self.expected - set(self.delivered)

    @property
    def unexpected(self) -> set[str]:
        return set(self.delivered) - self.expected

    @property
    def delivered_twice(self) -> int:
        """Deliveries beyond the first of a Message-ID (answers lost to a kill)."""
        return sum(count - 1 for count in self.delivered.values())

    @property
    def clean(self) -> bool:
        """Every order's mail arrived, and nothing else did."""
        return not self.missing and not self.unexpected


def expected_mails(
    orders: Sequence[OrderRequest], states: Sequence[SagaState], domain: str
) -> set[str]:
    """The Message-IDs the orders should have sent: each end's (or the delay's, for one
    waiting for a person), and the bank's request for 3-D Secure where the card asks."""
    expected = set()
    for order, state in zip(orders, states, strict=True):
        if not order.customer_email:
            continue
        if state in OUTCOME_MAIL:
            expected.add(f"<{order.workflow_id}.{OUTCOME_MAIL[state]}@{domain}>")
        if order.payment_method in AUTHENTICATION_REQUIRED:
            expected.add(f"<{order.workflow_id}.authentication@{domain}>")
    return expected


async def mail_books(mailbox: Mailbox, expected: set[str], seconds: float = 120) -> MailBooks:
    """The mailbox once every expected mail arrived (or the deadline passed): mails go out
    after their orders ended, each from its own workflow."""
    give_up = asyncio.get_running_loop().time() + seconds
    while True:
        books = MailBooks(
            expected=expected,
            delivered=Counter(str(m["Message-ID"]) for m in mailbox.messages()),
        )
        if not books.missing or asyncio.get_running_loop().time() > give_up:
            return books
        await asyncio.sleep(0.5)  # polling the mailbox, with a deadline
