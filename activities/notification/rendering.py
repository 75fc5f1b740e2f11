"""A mail about an order, from its templates: a plain-text body and an HTML one (escaped),
with the headers that make every send of it the same mail."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from activities.notification.contracts import OrderMail

TEMPLATES = Environment(
    loader=PackageLoader("activities.notification", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    undefined=StrictUndefined,  # a template naming a missing field fails loudly, not blank
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

SUBJECTS = {
    "confirmed": "Your order {order_id} is on its way",
    "undone": "Your order {order_id} was {outcome}",
    "authentication": "Please confirm the payment for your order {order_id}",
    "delayed": "Your order {order_id}: the return of your money is delayed",
    "disputed": "Order {order_id}: the bank disputes the charge",
    "dispute_reminder": "Order {order_id}: the dispute's evidence is due soon",
}


def sender_domain(sender: str) -> str:
    """The domain of the From address, which the Message-IDs are made in."""
    address = parseaddr(sender)[1]
    if "@" not in address:
        raise ValueError(f"{sender!r} is not an email address")
    return address.rpartition("@")[2]


def message_id(mail: OrderMail, domain: str) -> str:
    """One Message-ID per order and event: a retried send is recognisably the same mail."""
    return f"<{mail.saga_id}.{mail.kind}@{domain}>"


def render(mail: OrderMail, *, sender: str, sent_at: datetime) -> EmailMessage:
    """The message as it is sent: text first, HTML as its alternative."""
    context = {
        "mail": mail,
        "money": lambda amount: f"{amount} {mail.currency.upper()}",
        "line_total": lambda line: line.unit_price * line.quantity,
    }
    message = EmailMessage()
    message["Subject"] = SUBJECTS[mail.kind].format(
        order_id=mail.order_id, outcome=mail.outcome or "cancelled"
    )
    message["From"] = sender
    message["To"] = Address(addr_spec=mail.to)
    message["Message-ID"] = message_id(mail, sender_domain(sender))
    message["Date"] = format_datetime(sent_at)
    message["X-Order-Id"] = mail.order_id
    message.set_content(TEMPLATES.get_template(f"{mail.kind}.txt.j2").render(context))
    html = TEMPLATES.get_template(f"{mail.kind}.html.j2").render(context)
    message.add_alternative(html, subtype="html")
    return message
