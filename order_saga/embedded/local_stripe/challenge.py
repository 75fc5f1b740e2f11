"""The bank's 3-D Secure page a customer's browser is sent to, as Stripe's test page: two
buttons. No API key: it is the customer, not the merchant, who answers."""

from __future__ import annotations

import html

from aiohttp import web

from order_saga.embedded.local_stripe.answers import StripeFailure
from order_saga.embedded.local_stripe.state import LocalStripe


def add_challenge(app: web.Application, local: LocalStripe) -> None:
    """Serve the page at /3ds/{id} and take its answer at /3ds/{id}/complete or /fail."""

    async def challenge(request: web.Request) -> web.Response:
        """The page, for an intent that waits for authentication."""
        intent_id = request.match_info["id"]
        intent = local.ledger.intents.get(intent_id)
        if intent is None or intent["status"] != "requires_action":
            waits = f"No authentication waits for {html.escape(intent_id)}."
            return _page(409, "Nothing to authenticate", waits)
        amount = f"{intent['amount'] / 100:.2f} {str(intent['currency']).upper()}"
        buttons = "".join(
            f'<form method="post" action="/3ds/{intent_id}/{answer}">'
            f'<button type="submit">{label}</button></form>'
            for answer, label in (("complete", "Complete authentication"), ("fail", "Fail"))
        )
        return _page(200, "3-D Secure test", f"Authenticate a payment of {amount}.{buttons}")

    async def answer(request: web.Request) -> web.Response:
        intent_id, outcome = request.match_info["id"], request.match_info["outcome"]
        waiting = local.ledger.intents.get(intent_id) or {}
        return_url = ((waiting.get("next_action") or {}).get("redirect_to_url") or {}).get(
            "return_url"
        )
        try:
            local.ledger.authenticate(intent_id, passed=outcome == "complete")
        except StripeFailure as failure:
            return _page(409, "Nothing to authenticate", html.escape(str(failure)))
        local.save()
        if return_url:
            raise web.HTTPSeeOther(return_url)
        return _page(200, "Done", f"Authentication {outcome}d. You may close this page.")

    app.router.add_get("/3ds/{id}", challenge)
    app.router.add_post("/3ds/{id}/{outcome:complete|fail}", answer)


def _page(status: int, title: str, body: str) -> web.Response:
    return web.Response(
        status=status,
        text=f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{body}</p>",
        content_type="text/html",
    )
