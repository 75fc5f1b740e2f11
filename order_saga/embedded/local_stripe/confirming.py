"""The confirm of a PaymentIntent, where a test card succeeds, declines or asks for 3-D
Secure, and the customer's answer on the bank's page."""

from __future__ import annotations

import time

from order_saga.embedded.local_stripe import cards
from order_saga.embedded.local_stripe.answers import (
    Json,
    StripeFailure,
    missing,
    new_id,
    unexpected_state,
)
from order_saga.embedded.local_stripe.book import Book


class Confirming(Book):
    """Confirm an intent as the card's bank would answer."""

    def confirm_intent(self, intent_id: str, params: Json) -> Json:
        """POST /v1/payment_intents/{id}/confirm: where a test card succeeds or declines."""
        intent = self.retrieve_intent(intent_id)
        self.touched.add(("intents", intent_id))  # a decline changes it too
        if params.get("payment_method"):
            if not cards.is_known(str(params["payment_method"])):
                raise missing("PaymentMethod", str(params["payment_method"]), "payment_method")
            intent["payment_method"] = params["payment_method"]
        if params.get("payment_method_options"):
            intent["payment_method_options"] = {"card": cards.card_options(params)}
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
        intent["latest_charge_created"] = int(time.time())  # the charge's own `created`
        if intent.get("capture_method") == "manual":  # authorized: held, not yet taken
            intent["status"] = "requires_capture"
            intent["amount_capturable"] = intent["amount"]
            intent["capture_before"] = int(time.time()) + self.authorization_seconds
            asked = intent.get("payment_method_options", {}).get("card", {})
            if asked.get("request_multicapture") == "if_available":  # every test card has it
                intent["multicapture"] = "available"
            self.emit("payment_intent.amount_capturable_updated", intent)
            return intent
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
        self.emit("payment_intent.succeeded", intent)
        self.charged(intent)
        return intent
