"""The mail of an order shipped in parcels, through a real SMTP server: each parcel on its
way with its tracking number, the lines that could not ship named with "nothing was taken
for it", the total and the lines what shipped; an order in one parcel reads as before."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.testing import ActivityEnvironment

from activities.inventory.contracts import PricedLine
from activities.notification.activities import NotificationActivities
from activities.notification.mailer import SmtpServer
from order_saga.embedded.mailbox import Mailbox, local_mail_server
from tests.helpers import order
from tests.ports import free_port
from workflows.order_mails import confirmed_mail
from workflows.order_state import OrderResult, SagaState
from workflows.parcel_state import Parcel, ParcelState

CUPS = PricedLine(sku="cups", quantity=2, unit_price=Decimal("19.99"))
KETTLE = PricedLine(sku="kettle", quantity=1, unit_price=Decimal("49.50"), warehouse="east")


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[Mailbox, str]]:
    with local_mail_server(tmp_path, port=free_port()) as served:
        yield served


def shipped_in_part() -> OrderResult:
    home = Parcel(
        warehouse="main",
        lines=[CUPS],
        amount=Decimal("39.98"),
        state=ParcelState.HANDED_OVER,
        carrier="ACME",
        tracking_number="1ZHOME",
    )
    east = Parcel(
        warehouse="east",
        lines=[KETTLE],
        amount=Decimal("49.50"),
        state=ParcelState.NOT_SHIPPED,
        reason="we cannot ship to the address given",
    )
    return OrderResult(
        order_id="o-1",
        status=SagaState.PARTIALLY_SHIPPED,
        total=Decimal("39.98"),
        currency="usd",
        carrier="ACME",
        tracking_number="1ZHOME",
        parcels=[home, east],
    )


async def test_the_customer_is_told_which_parcel_shipped_and_which_did_not(mailbox) -> None:
    box, url = mailbox
    request = order(("cups", 2, "19.99"), ("kettle", 1, "49.50")).model_copy(
        update={"customer_email": "jane@example.com"}
    )
    mail = confirmed_mail(request, shipped_in_part())
    assert [line.sku for line in mail.lines] == ["cups"]  # the lines on their way

    await ActivityEnvironment().run(
        NotificationActivities(SmtpServer.from_url(url), sender="Shop <o@shop.example>")
        .send_order_mail, mail,
    )  # fmt: skip

    [message] = box.messages()
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "tracking number 1ZHOME: 2 x cups" in text
    assert (
        "We could not ship 1 x kettle (we cannot ship to the address given); nothing was " in text
    )
    assert "payment of 39.98 USD for what is on its way" in text
    assert "Total: 39.98 USD" in text and "49.50" not in text.split("could not ship")[0]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<strong>1ZHOME</strong>" in html and "nothing was taken for it" in html
