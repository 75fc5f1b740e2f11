"""`POST /api/orders` with `Prefer: wait=N` (RFC 7240): the order's saga starts and the
request waits, up to N seconds (at most 10), for the payment's answer, so a checkout page
needs no poll. Authorized, or the bank asks the customer first: 201 with the order and, for
3-D Secure, where to send them. Declined, out of stock, invalid: the problem the order ended
with, its undos done (the stock back). N passing first: 202, as without the preference."""

from __future__ import annotations

from decimal import Decimal

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from order_saga.api.problems import ProblemError
from order_saga.client.checkout import (
    MAX_WAIT_SECONDS,
    Checkout,
    PaymentOutcome,
    payment_outcome,
)
from order_saga.client.status import ClosedOrder
from workflows.order_state import SagaState, SagaStatus, StepState

PREFER_HELP = (
    "RFC 7240 `wait=N`: wait up to N seconds (at most 10) for the payment's answer: 201 "
    "authorized or requires_action (with `authentication_url`), the order's problem when it "
    "ended without the money (402 declined, 409 out of stock, 422 invalid), 202 when N passes "
    "first. `Preference-Applied` says the wait was honoured"
)


class CheckoutAnswer(BaseModel):
    """201: the payment's answer, within the request's wait; the saga goes on to ship."""

    order_id: str
    workflow_id: str
    status_url: str
    # The money as it stands: held, taken (a retry after pickup), or the customer asked first.
    payment: PaymentOutcome
    status: SagaState
    total: Decimal | None = None
    currency: str | None = None
    authentication_url: str | None = None  # requires_action: send the customer there


def wait_preference(prefer: str | None) -> int | None:
    """The seconds a `Prefer` header's `wait` asks for (at most MAX_WAIT_SECONDS); None
    without one, or with `respond-async`. Preferences it cannot read are ignored (RFC 7240)."""
    names = {}
    for preference in (prefer or "").split(","):
        name, _, value = preference.split(";")[0].partition("=")
        names[name.strip().lower()] = value.strip().strip('"')
    wait = names.get("wait", "")
    if "respond-async" in names or not wait.isdigit():
        return None
    return min(int(wait), MAX_WAIT_SECONDS)


def answer(request: Request, checkout: Checkout, order_id: str, wait: int) -> JSONResponse | None:
    """The response for a payment that has its answer; None when the wait ran out (202)."""
    status = checkout.status
    if status is None or isinstance(status, ClosedOrder):
        return None
    url = str(request.url_for("get_order", order_id=order_id).path)
    headers = {"Location": url, "Preference-Applied": f"wait={wait}"}
    payment = payment_outcome(status)
    if payment is None:
        raise ended_without_payment(status, headers)
    asked = payment == "requires_action"
    body = CheckoutAnswer(
        order_id=order_id,
        workflow_id=checkout.handle.id,
        status_url=url,
        payment=payment,
        status=status.status,
        total=status.total,
        currency=status.currency,
        authentication_url=status.authentication_url if asked else None,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=headers)


def ended_without_payment(status: SagaStatus, headers: dict[str, str]) -> ProblemError:
    """The problem an order that ended before its money was held answers with."""
    failed = next((s for s in status.steps if s.state == StepState.FAILED), None)
    why = f"{failed.error_type}: {failed.error_message}" if failed else str(status.status)
    if failed is not None and failed.name == "charge_payment":
        return ProblemError(402, "payment-declined", "Payment declined", why, headers=headers)
    if failed is not None and failed.error_type == "OutOfStock":
        return ProblemError(409, "out-of-stock", "Out of stock", why, headers=headers)
    if failed is not None and failed.error_type in ("UnknownProduct", "PriceMismatch"):
        return ProblemError(422, "invalid-order", "Invalid order", why, headers=headers)
    detail = f"the order ended {status.status} before its payment: {why}"
    return ProblemError(409, "order-ended", "Order ended", detail, headers=headers)
