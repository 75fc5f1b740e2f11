"""The order API as an app: its routes, problem details, the body limit and, with a codec,
the Web UI's codec endpoint, on one connected Temporal client."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from limits import parse
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import Engine
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client
from temporalio.converter import PayloadCodec

from activities.notification.targets import TargetPolicy
from order_saga.access.authenticator import Authenticator
from order_saga.api import carrier, health, ordering, returns, subscriptions, webhooks
from order_saga.api.codec_endpoint import codec_router
from order_saga.api.dependencies import ApiConfig
from order_saga.api.problems import (
    ProblemError,
    install,
    problem_response,
)
from order_saga.api.routes import router
from order_saga.client import DEFAULT_DEADLINE_SECONDS
from workflows.return_request import DEFAULT_RETURN_WINDOW_DAYS

MAX_BODY_BYTES = 64 * 1024  # an order of 100 lines is a few KB
# A refused body is read on and dropped up to this much, so a client that sends it all before
# reading gets the 413 instead of a reset connection; past it the connection just closes.
DRAIN_BYTES = 4 * 1024 * 1024
LOG = logging.getLogger(__name__)


class LimitBody:
    """Refuse a body larger than any order, declared or chunked, as soon as one byte too many
    has arrived (413); a declared length past what is worth draining is refused at once. The
    body is read here, never more than its limit kept, and handed on whole."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the body up to the limit, then serve the request with it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > DRAIN_BYTES):
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if size > MAX_BODY_BYTES:
                more = message.get("more_body", False)
                while more and size <= DRAIN_BYTES:  # dropped, never kept
                    message = await receive()
                    size += len(message.get("body", b""))
                    more = message["type"] == "http.request" and message.get("more_body", False)
                await self._refuse(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # then only a disconnect can come
            delivered = True
            return body

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        too_large = ProblemError(
            413, "too-large", "Request too large", f"a body is at most {MAX_BODY_BYTES} bytes"
        )
        response = problem_response(Request(scope, receive), too_large)
        response.headers["Connection"] = "close"  # what is left of the body is not read
        await response(scope, receive, send)


def create_app(
    client: Client,
    queue_prefix: str,
    *,
    default_deadline_seconds: int = DEFAULT_DEADLINE_SECONDS,
    codec: PayloadCodec | None = None,
    codec_origins: list[str] | None = None,
    engine: Engine | None = None,
    webhook_secret: str | None = None,
    authenticator: Authenticator,
    order_rate: str = "20 per 2 seconds",
    codec_for_local_ui: bool = False,
    eager_start: bool = False,
    webhook_targets: TargetPolicy | None = None,
    rate_storage: Storage | None = None,
    return_window_days: int = DEFAULT_RETURN_WINDOW_DAYS,
    operator_email: str | None = None,
    carrier_secret: str | None = None,
) -> FastAPI:
    """The app, on a connected client: it answers from its first request, to callers the
    `authenticator` knows, each starting at most `order_rate` orders. With `codec`, it also
    serves the remote codec endpoint for the Web UI at `codec_origins`: operators alone, and
    with `codec_for_local_ui` (the dev stack) the browser on this machine too. With
    `eager_start`, sagas start on the colocated worker sharing `client` in this process."""
    if authenticator.disabled:
        LOG.warning(
            "authentication is disabled (AUTH_DISABLED): every caller acts as an operator; "
            "run this only behind a gateway that checks callers"
        )
    # Swagger UI and ReDoc from the package's own copies, not a CDN: air-gapped sites get docs.
    app = FastAPIOffline(
        title="order-saga",
        summary="Orders run as Temporal sagas: reserve, charge, ship; undone on failure.",
        version="1",
    )
    app.state.client = client
    app.state.config = ApiConfig(
        queue_prefix,
        default_deadline_seconds,
        eager_start,
        return_window_days,
        operator_email,
        carrier_secret,
    )
    app.state.engine = engine  # for the readiness probe: orders need the database
    app.state.webhook_secret = webhook_secret  # Stripe's events are verified with it
    app.state.authenticator = authenticator
    app.state.codec_for_local_ui = codec_for_local_ui
    app.state.webhook_targets = webhook_targets or TargetPolicy()  # where subscribers may point
    # Shared by the replicas when they share `rate_storage` (Redis); else this process's own.
    app.state.limiter = MovingWindowRateLimiter(rate_storage or MemoryStorage())
    app.state.create_rate = parse(order_rate)
    install(app)
    app.include_router(ordering.router)
    app.include_router(router)
    app.include_router(returns.router)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    app.include_router(carrier.router)
    app.include_router(subscriptions.router)
    if codec is not None:
        app.include_router(codec_router(codec))
        app.add_middleware(
            CORSMiddleware,
            allow_origins=codec_origins or [],
            allow_methods=["POST"],
            allow_headers=["content-type", "x-namespace", "authorization"],
        )
    app.add_middleware(LimitBody)  # outermost: nothing reads a body it refuses
    return app
