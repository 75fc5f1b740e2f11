"""HTTP face of the local Stripe server: Stripe's paths, form encoding, errors and idempotency."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hashlib
import html
import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from aiohttp import web

from order_saga.embedded.local_stripe.answers import Json, StripeFailure
from order_saga.embedded.local_stripe.encoding import decode_form, list_of
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.state import LocalStripe, Replay
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint, deliver_forever

Action = Callable[[Ledger, dict[str, str], Json, Any], Json]
ROUTES: list[tuple[str, str, Action]] = [
    ("POST", "/v1/payment_intents", lambda led, m, p, q: led.create_intent(p)),
    (
        "GET",
        "/v1/payment_intents",
        lambda led, m, p, q: list_of(
            led.intent_index,
            led.intent_index.group(q.get("customer")),
            led.intents,
            "/v1/payment_intents",
            q,
            "payment_intent",
        ),
    ),
    ("GET", "/v1/payment_intents/{id}", lambda led, m, p, q: led.retrieve_intent(m["id"])),
    (
        "POST",
        "/v1/payment_intents/{id}/confirm",
        lambda led, m, p, q: led.confirm_intent(m["id"], p),
    ),
    ("POST", "/v1/payment_intents/{id}/cancel", lambda led, m, p, q: led.cancel_intent(m["id"], p)),
    (
        "POST",
        "/v1/payment_intents/{id}/capture",
        lambda led, m, p, q: led.capture_intent(m["id"], p),
    ),
    ("POST", "/v1/refunds", lambda led, m, p, q: led.create_refund(p)),
    ("GET", "/v1/refunds/{id}", lambda led, m, p, q: led.retrieve_refund(m["id"])),
    (
        "GET",
        "/v1/refunds",
        lambda led, m, p, q: list_of(
            led.refund_index,
            led.refund_index.group(q.get("payment_intent") or None),
            led.settled_refunds(),
            "/v1/refunds",
            q,
            "refund",
        ),
    ),
]
API_KEY = re.compile(r"(sk|rk)_(test|live)_\S+")
BAD_KEY: Json = {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}
RATE_LIMITED: Json = {
    "error": {
        "type": "invalid_request_error",
        "code": "rate_limit",
        "message": "Too many requests hit the API too quickly.",
    }
}
SERVER_ERROR: Json = {"error": {"type": "api_error", "message": "An unknown error occurred."}}


def api_key(authorization: str) -> str:
    """The key of a request, sent as a Bearer token or, as Stripe also accepts, the user name
    of HTTP Basic auth (`curl -u sk_test_...:`)."""
    scheme, _, credentials = authorization.partition(" ")
    if scheme == "Bearer":
        return credentials
    if scheme == "Basic":
        try:
            return base64.b64decode(credentials, validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return ""


def _idempotency_mismatch(key: str) -> Json:
    return {
        "error": {
            "type": "idempotency_error",
            "message": "Keys for idempotent requests can only be used with the same parameters "
            f"they were first used with. Try using a key other than '{key}' if you meant to "
            "execute a different request.",
        }
    }


def build_app(state: LocalStripe | None = None) -> web.Application:
    """The aiohttp application serving Stripe's paths over `state`."""
    local = state or LocalStripe()

    def handler(action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handle(request: web.Request) -> web.Response:
            key = request.headers.get("Idempotency-Key")
            local.requests.append((request.method, request.path, key))
            if local.faults.latency_ms:
                await asyncio.sleep(local.faults.latency_ms / 1000)  # injected latency
            fault = local.faults.draw(request.path)
            if fault == "http_429":
                return _json(429, RATE_LIMITED)
            if fault == "http_500":
                return _json(500, SERVER_ERROR)
            response = await respond(request, action, key)
            if fault == "execute_then_timeout" and request.transport is not None:
                request.transport.abort()  # it ran; the answer is lost on the way back
            return response

        return handle

    async def respond(request: web.Request, action: Action, key: str | None) -> web.Response:
        if not API_KEY.fullmatch(api_key(request.headers.get("Authorization", ""))):
            return _json(401, BAD_KEY)
        posted = request.method == "POST"
        params = decode_form(await request.text()) if posted else {}
        fingerprint = hashlib.sha256(
            json.dumps([request.path, params], sort_keys=True).encode()
        ).hexdigest()
        seen = local.replays.get(key) if posted and key else None
        if key and seen is not None:
            if seen.fingerprint != fingerprint:
                return _json(400, _idempotency_mismatch(key))
            return _json(seen.status, seen.body, key, replayed=True)
        try:
            status, body = (
                200,
                action(local.ledger, dict(request.match_info), params, request.query),
            )
        except StripeFailure as failure:
            status, body = failure.status, failure.body
        body = json.loads(json.dumps(body))  # a snapshot: later changes must not leak in
        if posted and key:
            local.replays[key] = Replay(fingerprint, status, body)
        if posted:
            local.save(key)
        return _json(status, body, key)

    async def unrecognized(request: web.Request) -> web.Response:
        """Stripe answers an unknown path in its error JSON, not an HTML page."""
        message = (
            f"Unrecognized request URL ({request.method}: {request.path}). Please see "
            "https://stripe.com/docs or we can help at https://support.stripe.com/."
        )
        return _json(404, {"error": {"type": "invalid_request_error", "message": message}})

    async def challenge(request: web.Request) -> web.Response:
        """The 3-D Secure page a customer's browser is sent to, as Stripe's test page: two
        buttons. No API key: it is the customer, not the merchant, who answers."""
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

    app = web.Application()
    for method, path, action in ROUTES:
        app.router.add_route(method, path, handler(action))
    app.router.add_get("/3ds/{id}", challenge)
    app.router.add_post("/3ds/{id}/{outcome:complete|fail}", answer)
    app.router.add_route("*", "/{tail:.*}", unrecognized)
    return app


def _page(status: int, title: str, body: str) -> web.Response:
    return web.Response(
        status=status,
        text=f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{body}</p>",
        content_type="text/html",
    )


def _json(
    status: int, body: Json, key: str | None = None, *, replayed: bool = False
) -> web.Response:
    headers = {"Request-Id": "req_local"}
    if key:
        headers["Idempotency-Key"] = key
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return web.json_response(body, status=status, headers=headers)


async def start(state: LocalStripe, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve in the running event loop; returns the runner (to clean up) and the base URL."""
    app = build_app(state)
    if state.webhook is not None:
        app.cleanup_ctx.append(_delivering(state, state.webhook))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    state.ledger.public_url = f"http://{host}:{bound}"  # for the 3-D Secure page's address
    return runner, f"http://{host}:{bound}"


def _delivering(
    state: LocalStripe, endpoint: WebhookEndpoint
) -> Callable[[web.Application], AsyncIterator[None]]:
    """Webhook delivery for as long as the server runs."""

    async def delivering(_: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(deliver_forever(state.ledger, state.delivered, endpoint))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return delivering


@contextlib.contextmanager
def serve_in_thread(state: LocalStripe) -> Iterator[str]:
    """The local Stripe server on its own thread and loop, so sync code can call it."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner, base_url = asyncio.run_coroutine_threadsafe(start(state, "127.0.0.1", 0), loop).result(
        timeout=30
    )
    try:
        yield base_url
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()
