"""What the local Stripe server knows: PaymentIntents and Refunds, with Stripe's rules."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping

from order_saga.embedded.local_stripe import cards
from order_saga.embedded.local_stripe.answers import (
    Json,
    StripeFailure,
    missing,
    new_id,
    positive_int,
    truthy,
    unexpected_state,
)
from order_saga.embedded.local_stripe.index import CreationIndex

CANCELLABLE = {
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "requires_capture",
}


# Card networks hold an online authorization about 7 days; Stripe cancels it after that.
AUTHORIZATION_SECONDS = 7 * 24 * 3600
CAPTURE_METHODS = ("automatic", "automatic_async", "manual")
# How long a refund of a card whose refunds settle later stays pending.
REFUND_SETTLE_SECONDS = 30.0


class Ledger:
    """PaymentIntents and Refunds. An authorization (`capture_method=manual`, confirmed) is
    held `authorization_seconds`, then canceled as Stripe does (`cancellation_reason`
    `automatic`); `capture_before` says until when, as Stripe's charge does."""

    def __init__(
        self,
        authorization_seconds: int = AUTHORIZATION_SECONDS,
        refund_settle_seconds: float = REFUND_SETTLE_SECONDS,
    ) -> None:
        self.authorization_seconds = authorization_seconds
        self.refund_settle_seconds = refund_settle_seconds
        self.public_url = "http://127.0.0.1"  # where a customer's browser reaches this server
        self.intents: dict[str, Json] = {}
        self.refunds: dict[str, Json] = {}
        # Events not yet delivered to the webhook endpoint (none kept without one).
        self.events: dict[str, Json] = {}
        self.emitting = False  # a webhook endpoint is configured
        self.on_event: Callable[[], None] | None = None  # wakes the delivery
        self.intent_index = CreationIndex(group_by="customer")
        self.refund_index = CreationIndex(group_by="payment_intent")
        # Objects changed since the journal last took them: what the next entry must hold.
        self.touched: set[tuple[str, str]] = set()

    def create_intent(self, params: Json) -> Json:
        """POST /v1/payment_intents; with confirm=true it charges at once."""
        amount = positive_int(params.get("amount"), "amount")
        currency = str(params.get("currency") or "").lower()
        if len(currency) != 3:
            raise StripeFailure(
                400,
                "invalid_request_error",
                "Missing required param: currency.",
                code="parameter_missing",
                param="currency",
            )
        payment_method = params.get("payment_method")
        if payment_method is not None and not cards.is_known(str(payment_method)):
            raise missing("PaymentMethod", str(payment_method), "payment_method")
        capture_method = str(params.get("capture_method") or "automatic_async")
        if capture_method not in CAPTURE_METHODS:
            raise StripeFailure(
                400,
                "invalid_request_error",
                "Invalid capture_method: must be one of automatic, automatic_async, or manual",
                param="capture_method",
            )
        intent: Json = {
            "id": new_id("pi"),
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "amount_capturable": 0,
            "capture_method": capture_method,
            "currency": currency,
            "status": "requires_confirmation" if payment_method else "requires_payment_method",
            "payment_method": payment_method,
            "payment_method_types": params.get("payment_method_types") or ["card"],
            "metadata": params.get("metadata") or {},
            "customer": params.get("customer"),
            "description": params.get("description"),
            "created": int(time.time()),
            "livemode": False,
            "latest_charge": None,
            "last_payment_error": None,
            "next_action": None,
            "canceled_at": None,
            "cancellation_reason": None,
        }
        intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
        self.intents[intent["id"]] = intent
        self.intent_index.add(intent)
        self.touched.add(("intents", intent["id"]))
        if truthy(params.get("confirm")):
            return self.confirm_intent(intent["id"], {})
        return intent

    def retrieve_intent(self, intent_id: str) -> Json:
        """GET /v1/payment_intents/{id}; an authorization past its hold is canceled first."""
        intent = self.intents.get(intent_id)
        if intent is None:
            raise missing("payment_intent", intent_id)
        held_until = intent.get("capture_before")
        if intent["status"] == "requires_capture" and held_until and time.time() >= held_until:
            intent.update(
                status="canceled",
                amount_capturable=0,
                canceled_at=int(time.time()),
                cancellation_reason="automatic",
            )
            self.touched.add(("intents", intent_id))
            self.emit("payment_intent.canceled", intent)
        return intent

    def retrieve_refund(self, refund_id: str) -> Json:
        """GET /v1/refunds/{id}; a pending refund past its time is settled first."""
        refund = self.refunds.get(refund_id)
        if refund is None:
            raise missing("refund", refund_id)
        return self._settled(refund)

    def _settled(self, refund: Json) -> Json:
        """A pending refund whose time has come, as the bank settled it."""
        settles_at = refund.get("settles_at")
        if refund["status"] == "pending" and settles_at and time.time() >= settles_at:
            outcome = refund.get("settles_as", "succeeded")
            refund["status"] = outcome
            refund["failure_reason"] = "declined" if outcome == "failed" else None
            self.touched.add(("refunds", refund["id"]))
            self.emit("refund.updated", refund)
        return refund

    def confirm_intent(self, intent_id: str, params: Json) -> Json:
        """POST /v1/payment_intents/{id}/confirm: where a test card succeeds or declines."""
        intent = self.retrieve_intent(intent_id)
        self.touched.add(("intents", intent_id))  # a decline changes it too
        if params.get("payment_method"):
            if not cards.is_known(str(params["payment_method"])):
                raise missing("PaymentMethod", str(params["payment_method"]), "payment_method")
            intent["payment_method"] = params["payment_method"]
        if intent["status"] not in ("requires_confirmation", "requires_payment_method"):
            raise unexpected_state(intent, "confirm")
        if not intent["payment_method"]:
            raise StripeFailure(
                400,
                "invalid_request_error",
                "You must provide a payment method to confirm this PaymentIntent.",
                code="payment_intent_unexpected_state",
                param="payment_method",
            )
        decline = cards.DECLINES.get(intent["payment_method"])
        if decline is not None:  # the bank saw a charge attempt and refused it
            charge_id = new_id("ch")
            intent["latest_charge"] = charge_id
            error: Json = {
                "type": "card_error",
                "code": decline.code,
                "message": decline.message,
                "charge": charge_id,
                "payment_method": {"id": intent["payment_method"]},
            }
            if decline.decline_code:
                error["decline_code"] = decline.decline_code
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = error
            self.emit("payment_intent.payment_failed", intent)
            failure = StripeFailure(
                402,
                "card_error",
                decline.message,
                **{k: v for k, v in error.items() if k not in ("type", "message")},
            )
            failure.body["error"]["payment_intent"] = intent
            raise failure
        intent["last_payment_error"] = None
        if intent["payment_method"] in cards.AUTHENTICATION_REQUIRED:
            # The bank asks the customer first: no charge until they pass (Stripe's
            # latest_charge stays null), so an intent abandoned here never held money.
            intent["status"] = "requires_action"
            intent["next_action"] = {
                "type": "redirect_to_url",
                "redirect_to_url": {
                    "url": f"{self.public_url}/3ds/{intent_id}",
                    "return_url": params.get("return_url"),
                },
            }
            self.emit("payment_intent.requires_action", intent)
            return intent
        return self._went_through(intent)

    def authenticate(self, intent_id: str, *, passed: bool) -> Json:
        """The customer's answer on the 3-D Secure page: the confirm goes through, or the
        payment method fails as Stripe's `payment_intent_authentication_failure`."""
        intent = self.retrieve_intent(intent_id)
        if intent["status"] != "requires_action":
            raise unexpected_state(intent, "authenticate")
        self.touched.add(("intents", intent_id))
        intent["next_action"] = None
        if passed:
            return self._went_through(intent)
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "invalid_request_error",
            "code": "payment_intent_authentication_failure",
            "message": "The provided PaymentMethod has failed authentication. You can provide "
            "payment_method_data or a new PaymentMethod to attempt to fulfill this "
            "PaymentIntent again.",
            "payment_method": {"id": intent["payment_method"]},
        }
        self.emit("payment_intent.payment_failed", intent)
        return intent

    def _went_through(self, intent: Json) -> Json:
        """A confirm the bank accepted: authorized (manual capture) or charged."""
        intent["latest_charge"] = new_id("ch")
        if intent.get("capture_method") == "manual":  # authorized: held, not yet taken
            intent["status"] = "requires_capture"
            intent["amount_capturable"] = intent["amount"]
            intent["capture_before"] = int(time.time()) + self.authorization_seconds
            self.emit("payment_intent.amount_capturable_updated", intent)
            return intent
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        self.emit("payment_intent.succeeded", intent)
        return intent

    def capture_intent(self, intent_id: str, params: Json) -> Json:
        """POST /v1/payment_intents/{id}/capture: take what was authorized, or less of it."""
        intent = self.retrieve_intent(intent_id)
        if intent["status"] != "requires_capture":
            raise unexpected_state(intent, "capture")
        self.touched.add(("intents", intent_id))
        amount = positive_int(
            params.get("amount_to_capture", intent["amount_capturable"]), "amount_to_capture"
        )
        if amount > intent["amount_capturable"]:
            raise StripeFailure(
                400,
                "invalid_request_error",
                "The amount to capture must be less than or equal to the amount capturable.",
                code="amount_too_large",
                param="amount_to_capture",
            )
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self.emit("payment_intent.succeeded", intent)
        return intent

    def cancel_intent(self, intent_id: str, params: Json) -> Json:
        """POST /v1/payment_intents/{id}/cancel, allowed while no money has moved."""
        intent = self.retrieve_intent(intent_id)
        self.touched.add(("intents", intent_id))
        if intent["status"] not in CANCELLABLE:
            raise unexpected_state(intent, "cancel")
        intent["status"] = "canceled"
        intent["amount_capturable"] = 0  # an authorization's hold is released: a void
        intent["canceled_at"] = int(time.time())
        intent["cancellation_reason"] = params.get("cancellation_reason")
        self.emit("payment_intent.canceled", intent)
        return intent

    def create_refund(self, params: Json) -> Json:
        """POST /v1/refunds: at most what was received, minus earlier refunds."""
        intent_id = str(params.get("payment_intent") or "")
        if not intent_id:
            raise StripeFailure(
                400,
                "invalid_request_error",
                "One of the following params should be provided for this "
                "request: payment_intent or charge.",
                code="parameter_missing",
            )
        intent = self.retrieve_intent(intent_id)
        if intent["status"] != "succeeded":
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        refunded = sum(r["amount"] for r in self.refunds_of(intent_id) if r["status"] != "failed")
        available = intent["amount_received"] - refunded
        if available <= 0:
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = positive_int(params.get("amount", available), "amount")
        if amount > available:
            raise StripeFailure(
                400,
                "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount "
                f"on charge ({available})",
                code="amount_too_large",
                param="amount",
            )
        method = intent["payment_method"]
        fails = method in cards.REFUND_FAILS or (
            method in cards.REFUND_FAILS_ONCE and not self.refunds_of(intent_id)
        )
        settles_as = cards.REFUND_SETTLES.get(method)
        refund: Json = {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent_id,
            "charge": intent["latest_charge"],
            "status": "failed" if fails else "succeeded",
            "failure_reason": "declined" if fails else None,
            "reason": params.get("reason"),
            "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        if settles_as is not None:  # pending now, settled by the bank later
            refund.update(
                status="pending",
                settles_as=settles_as,
                settles_at=time.time() + self.refund_settle_seconds,
            )
        self.refunds[refund["id"]] = refund
        self.refund_index.add(refund)
        self.emit("refund.created", refund)
        self.touched.add(("refunds", refund["id"]))
        return refund

    def intents_of_order(self, order_id: str, status: str | None = None) -> list[Json]:
        """The PaymentIntents whose metadata names this order, in one status if given."""
        return [
            i
            for i in self.intents.values()
            if i["metadata"].get("order_id") == order_id and status in (None, i["status"])
        ]

    def settled_refunds(self) -> Mapping[str, Json]:
        """The refunds as a list shows them: each pending one past its time settled."""
        return _Settling(self)

    def refunds_of(self, intent_id: str) -> list[Json]:
        """Every refund of one PaymentIntent, oldest first."""
        return [self._settled(self.refunds[i]) for i in self.refund_index.group(intent_id)]

    def emit(self, event_type: str, obj: Json) -> None:
        """An event about `obj` as it is now, for the webhook endpoint (Stripe's shape)."""
        if not self.emitting:
            return
        event: Json = {
            "id": new_id("evt"),
            "object": "event",
            "type": event_type,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": json.loads(json.dumps(obj))},  # a snapshot
        }
        self.events[event["id"]] = event
        self.touched.add(("events", event["id"]))
        if self.on_event is not None:
            self.on_event()

    def load(
        self, intents: dict[str, Json], refunds: dict[str, Json], events: dict[str, Json]
    ) -> None:
        """Objects read back from the journal: new ones, or newer versions of known ones; an
        event delivered since is forgotten."""
        for event in events.values():
            if event.get("pending_webhooks"):
                self.events[event["id"]] = event
            else:
                self.events.pop(event["id"], None)
        for intent in intents.values():
            self.intents[intent["id"]] = intent
            self.intent_index.add(intent)
        for refund in refunds.values():
            self.refunds[refund["id"]] = refund
            self.refund_index.add(refund)


class _Settling(Mapping[str, Json]):
    """The ledger's refunds, settled as they are read."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def __getitem__(self, refund_id: str) -> Json:
        return self._ledger._settled(self._ledger.refunds[refund_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ledger.refunds)

    def __len__(self) -> int:
        return len(self._ledger.refunds)
