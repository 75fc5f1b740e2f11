"""The mails an order's saga sends its customer, built from the order and how it went."""

from __future__ import annotations

from decimal import Decimal

from activities.notification.contracts import MailKind, MailLine, MailParcel, OrderMail
from activities.notification.reasons import in_plain_words
from activities.shipment.activities import CANCEL_SHIPMENT
from workflows.money import Money
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult, SagaState
from workflows.parcel_state import ParcelState

# How an order that did not ship reads in its mail's subject: "Your order ... was ...".
OUTCOMES = {
    SagaState.CANCELLED: "cancelled",
    SagaState.EXPIRED: "cancelled",
    SagaState.COMPENSATED: "not completed",
    SagaState.RESOLVED: "not completed",
}


def order_mail(
    order: OrderRequest, kind: MailKind, total: Decimal | None, **fields: object
) -> OrderMail:
    """A mail of `kind` about `order` (which has an address to send it to)."""
    assert order.customer_email is not None
    return OrderMail.model_validate(
        {
            "order_id": order.order_id,
            "saga_id": order.workflow_id,
            "kind": kind,
            "to": order.customer_email,
            "customer_id": order.customer_id,
            "lines": [
                MailLine(sku=i.sku, quantity=i.quantity, unit_price=i.unit_price)
                for i in order.items
            ],
            "total": total if total is not None else order.total,
            "currency": order.currency,
            **fields,
        }
    )


def confirmed_mail(order: OrderRequest, result: OrderResult) -> OrderMail:
    """The parcel is with the carrier and the money taken; in parcels, each one's tracking
    number and the lines of one that could not ship (nothing taken for them)."""
    parcels = [
        MailParcel(
            lines=[
                MailLine(sku=x.sku, quantity=x.quantity, unit_price=x.unit_price) for x in p.lines
            ],
            tracking_number=p.tracking_number if p.state == ParcelState.HANDED_OVER else None,
            not_shipped=p.reason if p.state == ParcelState.NOT_SHIPPED else None,
        )
        for p in result.parcels
        if p.state in (ParcelState.HANDED_OVER, ParcelState.NOT_SHIPPED)
    ]
    shipped = [line for p in parcels if p.not_shipped is None for line in p.lines]
    mail = order_mail(
        order,
        "confirmed",
        result.total,
        carrier=result.carrier,
        tracking_number=result.tracking_number,
        parcels=parcels,
    )
    return mail.model_copy(update={"lines": shipped}) if parcels else mail


def undone_mail(order: OrderRequest, result: OrderResult) -> OrderMail:
    """The order did not ship: why, and what became of the customer's money."""
    return order_mail(order, "undone", result.total, **undone_fields(order, result, result.status))


def delayed_mail(order: OrderRequest, result: OrderResult, end: SagaState) -> OrderMail:
    """The order did not ship and the money's return needs a person (the bank refused the
    refund): the customer hears it is being looked at; `undone` follows once it is settled."""
    return order_mail(order, "delayed", result.total, **undone_fields(order, result, end))


def undone_fields(order: OrderRequest, result: OrderResult, end: SagaState) -> dict[str, object]:
    """Why the order ended as `end`, and what was given back, in plain words."""
    money = f"{result.total or order.total} {order.currency.upper()}"
    given_back = [money_back(result, money)]
    if any(u.undo == CANCEL_SHIPMENT.name and u.did == "cancelled" for u in result.undone):
        given_back.append("the shipment was cancelled before it left")
    cancelled = result.error_type == "Cancelled"
    return {
        "outcome": "cancelled before it shipped" if cancelled else OUTCOMES[end],
        "reason": None if cancelled else in_plain_words(result.error_type),
        "given_back": given_back,
    }


def money_back(result: OrderResult, money: str) -> str:
    """What happened to the customer's money, as it happened."""
    if result.payment == Money.VOIDED:
        return f"the {money} held on your card was released; nothing was taken"
    if result.payment == Money.REFUNDED:
        return (
            f"the payment of {money} was refunded to your card (a refund can take 5 to 10 "
            "days to show)"
        )
    if result.resolution is not None:  # a person settled what the bank refused
        return f"the return of your {money} was settled by our team"
    if result.payment in (Money.REFUND_FAILED, Money.CAPTURED, Money.AUTHORIZED):
        return f"the return of your {money} is delayed at the bank; a person is on it"
    return "nothing was taken from your card"


def authentication_mail(order: OrderRequest, url: str, total: Decimal) -> OrderMail:
    """The bank asks the customer to confirm the payment (3-D Secure)."""
    return order_mail(order, "authentication", total, authentication_url=url)
