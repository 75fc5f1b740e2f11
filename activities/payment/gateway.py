"""The payment gateway: every call the payment service makes to Stripe, and every idempotency
key it sends, behind the circuit breaker, with Stripe's failures classified for Temporal
(`stripe_errors.py`).

Keys derive from the saga's key (one saga per order): `<key>/create`, `/confirm`,
`/capture`, `/cancel`, `/refund` (`refunding.py`), so a retried request, by the SDK or by
Temporal, replays Stripe's first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import stripe
from temporalio.exceptions import ApplicationError

from activities.money import to_minor_units
from activities.payment.breaker import TRANSIENT, GatewayBreaker
from activities.payment.contracts import (
    CapturePaymentInput,
    ChargePaymentInput,
    CreatePaymentIntentInput,
)
from activities.payment.stripe_errors import classify

T = TypeVar("T")
OnFinal = Callable[[stripe.StripeError], None]
MULTICAPTURE = {"card": {"request_multicapture": "if_available"}}


class Hold(NamedTuple):
    """An authorization's terms, as its charge states them."""

    capture_before: int  # Unix time, Stripe's clock
    created: int  # the charge's, on the same clock
    multicapture: bool  # may be captured a parcel at a time


def intent_params(request: CreatePaymentIntentInput) -> dict[str, object]:
    """The create call's parameters: the same every time, so its key replays its answer."""
    return {
        "amount": to_minor_units(request.amount, request.currency),
        "currency": request.currency,
        "payment_method": request.payment_method,
        # Cards only, never a redirect: there is no customer to send back.
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        "metadata": {"order_id": request.order_id, "customer_id": request.customer_id},
        # Sent only when manual, so a create from before replays its first answer.
        **({"capture_method": "manual"} if request.capture_method == "manual" else {}),
        **({"payment_method_options": MULTICAPTURE} if request.multicapture else {}),
    }


def create_key(request: CreatePaymentIntentInput) -> str:
    """The create call's idempotency key, derived from the saga's."""
    return f"{request.idempotency_key}/create"


class PaymentGateway:
    """The service's Stripe client behind its circuit breaker. A forward step's call hands
    a failure no retry can fix to `on_final` before raising it; an undo's call is retried
    through every fault."""

    def __init__(self, client: stripe.StripeClient, breaker: GatewayBreaker) -> None:
        self._v1 = client.v1
        self._breaker = breaker

    def create_intent(
        self, request: CreatePaymentIntentInput, on_final: OnFinal
    ) -> stripe.PaymentIntent:
        """Create the intent: no money moves."""
        return self._step(self._create_call(request), on_final)

    def confirm_intent(
        self, request: ChargePaymentInput, on_final: OnFinal
    ) -> stripe.PaymentIntent:
        """Confirm the intent: where money moves, once per key."""
        return self._step(
            lambda: self._v1.payment_intents.confirm(
                request.payment_intent_id,
                options={"idempotency_key": f"{request.idempotency_key}/confirm"},
            ),
            on_final,
        )

    def capture_intent(
        self, request: CapturePaymentInput, capturable: int
    ) -> stripe.PaymentIntent | None:
        """Take what the confirm authorized (`capturable`, in minor units), or less when the
        order was amended to fewer units (Stripe's `amount_to_capture`: the rest of the hold
        is released), once per key; None when the intent's status allows no capture (the
        caller reads it again to learn why). A parcel's capture (`final` False) leaves the
        rest held for the others'."""
        wanted = to_minor_units(request.amount, request.currency)
        params: dict[str, Any] = {"amount_to_capture": wanted} if wanted < capturable else {}
        if not request.final:  # the same request however much a repeat finds still held
            params = {"amount_to_capture": wanted, "final_capture": False}
        try:
            return self._breaker.call(
                lambda: self._v1.payment_intents.capture(
                    request.payment_intent_id,
                    params=params,  # type: ignore[arg-type]
                    options={"idempotency_key": f"{request.idempotency_key}/capture"},
                )
            )
        except stripe.InvalidRequestError as exc:
            if exc.code == "payment_intent_unexpected_state":
                return None
            raise classify(exc) from exc
        except stripe.StripeError as exc:
            raise classify(exc) from exc

    def hold_of(self, intent: stripe.PaymentIntent) -> Hold | None:
        """The card network's deadline for capturing an authorization, as Stripe puts it on
        the charge the confirm made (`payment_method_details.card.capture_before`), with the
        charge's `created`, both Unix times on Stripe's clock, and whether it may be captured
        a parcel at a time; None when the charge does not say. A read: retried until Stripe
        answers."""
        charge = intent.latest_charge
        charge_id = charge if isinstance(charge, str) else getattr(charge, "id", None)
        if not charge_id:
            return None
        read = self._undo(lambda: self._v1.charges.retrieve(charge_id))
        details = read.payment_method_details
        card = details.card if details is not None else None
        if card is None or card.capture_before is None:
            return None
        asked = getattr(card, "multicapture", None)  # absent unless the create asked for it
        multi = asked is not None and asked.status == "available"
        return Hold(card.capture_before, read.created, multi)

    def retrieve_intent(self, intent_id: str) -> stripe.PaymentIntent:
        """What Stripe says of the intent now (an undo reads before it writes)."""
        return self._undo(lambda: self._v1.payment_intents.retrieve(intent_id))

    def cancel_intent(self, intent_id: str, saga_key: str) -> stripe.PaymentIntent:
        """Cancel an intent that holds no money (yet): no refund, no fee."""
        return self._undo(
            lambda: self._v1.payment_intents.cancel(
                intent_id, options={"idempotency_key": f"{saga_key}/cancel"}
            )
        )

    def replay_create(self, request: CreatePaymentIntentInput) -> stripe.PaymentIntent | None:
        """The intent a create made even if every answer to it was lost: the same call under
        the same key returns it (or makes one now, no money moving). None when Stripe had
        refused the create, as the replay repeats."""
        try:
            return self._breaker.call(self._create_call(request))
        except TRANSIENT as exc:
            raise ApplicationError(str(exc), type=classify(exc).type) from exc
        except stripe.StripeError:
            return None

    def _create_call(self, request: CreatePaymentIntentInput) -> Callable[[], stripe.PaymentIntent]:
        return lambda: self._v1.payment_intents.create(
            params=intent_params(request),  # type: ignore[arg-type]
            options={"idempotency_key": create_key(request)},
        )

    def _step(self, call: Callable[[], T], on_final: OnFinal) -> T:
        try:
            return self._breaker.call(call)
        except stripe.StripeError as exc:
            failure = classify(exc)
            if failure.non_retryable:
                on_final(exc)
            raise failure from exc

    def _undo(self, call: Callable[[], T]) -> T:
        try:
            return self._breaker.call(call)
        except stripe.StripeError as exc:
            raise ApplicationError(str(exc), type=classify(exc).type) from exc
