"""PaymentIntents as Stripe keeps them: created, listed by order, captured (what the confirm
authorized, at most), cancelled; the confirm itself, where a test card decides, is
`confirming.py`."""

from __future__ import annotations

import secrets
import time

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
from order_saga.embedded.local_stripe.book import Book

CANCELLABLE = {
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "requires_capture",
}
CAPTURE_METHODS = ("automatic", "automatic_async", "manual")


class IntentBook(Book):
    """Create, capture, cancel and find PaymentIntents."""

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
            "payment_method_options": {"card": cards.card_options(params)},
        }
        intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
        self.intents[intent["id"]] = intent
        self.intent_index.add(intent)
        self.touched.add(("intents", intent["id"]))
        if truthy(params.get("confirm")):
            return self.confirm_intent(intent["id"], {})
        return intent

    def capture_intent(self, intent_id: str, params: Json) -> Json:
        """POST /v1/payment_intents/{id}/capture: take what was authorized, or less of it.
        With multicapture (`final_capture=false`, where the confirm made it available) the
        rest stays held for later captures; a final capture releases whatever is left."""
        intent = self.retrieve_intent(intent_id)
        if intent["status"] != "requires_capture":
            raise unexpected_state(intent, "capture")
        final = truthy(params.get("final_capture", True))
        if not final and intent.get("multicapture") != "available":
            raise StripeFailure(
                400,
                "invalid_request_error",
                "final_capture can only be false when multicapture is available for this "
                "PaymentIntent.",
                param="final_capture",
            )
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
        received = int(intent.get("amount_received") or 0) + amount
        left = 0 if final else intent["amount_capturable"] - amount
        intent.update(amount_received=received, amount_capturable=left)
        if left:  # still held: captured in part
            self.emit("payment_intent.amount_capturable_updated", intent)
            return intent
        intent["status"] = "succeeded"
        self.emit("payment_intent.succeeded", intent)
        self.charged(intent)
        return intent

    def cancel_intent(self, intent_id: str, params: Json) -> Json:
        """POST /v1/payment_intents/{id}/cancel, allowed while no money has moved."""
        intent = self.retrieve_intent(intent_id)
        self.touched.add(("intents", intent_id))
        if intent["status"] not in CANCELLABLE:
            raise unexpected_state(intent, "cancel")
        if intent.get("amount_received"):  # captured in part: the rest is released
            intent.update(status="succeeded", amount_capturable=0)
            self.emit("payment_intent.succeeded", intent)
            self.charged(intent)
            return intent
        intent["status"] = "canceled"
        intent["amount_capturable"] = 0  # an authorization's hold is released: a void
        intent["canceled_at"] = int(time.time())
        intent["cancellation_reason"] = params.get("cancellation_reason")
        self.emit("payment_intent.canceled", intent)
        return intent

    def intents_of_order(self, order_id: str, status: str | None = None) -> list[Json]:
        """The PaymentIntents whose metadata names this order, in one status if given."""
        return [
            i
            for i in self.intents.values()
            if i["metadata"].get("order_id") == order_id and status in (None, i["status"])
        ]
