"""HTTP face of the local Stripe server: Stripe's paths, form encoding, errors and idempotency."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from order_saga.embedded.local_stripe.answers import Json, StripeFailure
from order_saga.embedded.local_stripe.challenge import add_challenge
from order_saga.embedded.local_stripe.encoding import decode_form
from order_saga.embedded.local_stripe.routes import ROUTES, Action
from order_saga.embedded.local_stripe.state import LocalStripe, Replay

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

    app = web.Application()
    for method, path, action in ROUTES:
        app.router.add_route(method, path, handler(action))
    add_challenge(app, local)
    app.router.add_route("*", "/{tail:.*}", unrecognized)
    return app


def _json(
    status: int, body: Json, key: str | None = None, *, replayed: bool = False
) -> web.Response:
    headers = {"Request-Id": "req_local"}
    if key:
        headers["Idempotency-Key"] = key
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return web.json_response(body, status=status, headers=headers)
