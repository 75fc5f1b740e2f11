"""The order's money and its undos, told as they happened: one vocabulary for the status, the
result, the failure message, the Web UI, the mails and the demo. A hold is authorized, never
"charged"; a released hold is voided, never "refunded"; an undo says what it did, or that
there was nothing to undo."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from activities.payment.contracts import CaptureResult, ChargeResult


class Money(StrEnum):
    """Where the order's payment stands."""

    AUTHORIZED = "authorized"  # the bank holds it; nothing taken yet
    PARTIALLY_CAPTURED = "partially captured"  # the parcels picked up taken, the rest held
    CAPTURED = "captured"  # taken
    VOIDED = "voided"  # the hold released: nothing was taken
    REFUNDED = "refunded"  # taken, then given back
    REFUND_FAILED = "refund failed"  # taken, and the bank refused it back: a person is on it


class Undone(BaseModel):
    """One undo, and what it did: voided, refunded, released, cancelled, nothing to undo."""

    undo: str  # the activity's name, e.g. refund_payment
    did: str


NOTHING = "nothing to undo"
# What a refund activity's action means for the money (RefundResult.action).
REFUND_ACTIONS = {
    "voided": Money.VOIDED,
    "already_voided": Money.VOIDED,
    "refunded": Money.REFUNDED,
    "already_refunded": Money.REFUNDED,
}
# What each undo would give back, as in "nothing to undo for the payment".
THE = {
    "refund_payment": "the payment",
    "release_inventory": "the stock",
    "cancel_shipment": "the shipment",
}
# What the other undos did when they took effect.
DID = {"release_inventory": "released", "cancel_shipment": "cancelled"}


def undo_did(undo: str, result: object) -> str:
    """What an undo's result says it did."""
    money = REFUND_ACTIONS.get(str(getattr(result, "action", "")))
    if money is not None:
        return str(money)
    if getattr(result, "took_effect", True) and undo in DID:
        return DID[undo]
    return NOTHING  # a declined card's intent, a void of an intent that held nothing


def amount_of(total: Decimal | None, currency: str | None) -> str:
    """`129.00 USD`, or "the payment" before the saga knows the total."""
    return f"{total} {(currency or '').upper()}" if total is not None else "the payment"


def told(undone: list[Undone], total: Decimal | None, currency: str | None) -> str:
    """The undos in words, as run (newest first): `129.00 USD voided, stock released,
    nothing to undo for the shipment`."""
    amount = amount_of(total, currency)
    words = {
        "voided": f"{amount} voided",
        "refunded": f"{amount} refunded",
        "released": "stock released",
        "cancelled": "shipment cancelled",
    }
    done = [words.get(u.did, f"{u.undo}: {u.did}") for u in undone if u.did != NOTHING]
    nothing = [THE.get(u.undo, u.undo) for u in undone if u.did == NOTHING]
    if nothing:
        done.append(f"{NOTHING} for {' or '.join(nothing)}")
    return ", ".join(done) or NOTHING


def payment_told(money: Money | None, total: Decimal | None, currency: str | None) -> str:
    """The payment in words: `129.00 USD authorized (held by the bank)`, or nothing taken."""
    if money is None:
        return "nothing taken"
    amount = amount_of(total, currency)
    notes = {
        Money.AUTHORIZED: " (held by the bank)",
        Money.PARTIALLY_CAPTURED: " (the rest still held by the bank)",
        Money.VOIDED: " (the hold released: nothing was taken)",
        Money.REFUND_FAILED: " (a person is on it)",
    }
    if money == Money.REFUND_FAILED:
        return f"the refund of {amount} failed{notes[money]}"
    return f"{amount} {money}{notes.get(money, '')}"


def payment_after(result: object, money: Money | None) -> Money | None:
    """Where the payment stands after a step's result: authorized by the charge (captured at
    once by a charge from before authorize-then-capture), captured by the capture."""
    if isinstance(result, ChargeResult) and result.authentication_url is None:
        return Money.AUTHORIZED if result.authorized_only else Money.CAPTURED
    if isinstance(result, CaptureResult):
        return Money.CAPTURED if result.final else Money.PARTIALLY_CAPTURED
    return money
