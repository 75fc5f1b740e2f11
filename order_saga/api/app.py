"""The order API as an app: its routes, problem details, the body limit and, with a codec,
the Web UI's codec endpoint, on one connected Temporal client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.converter import PayloadCodec

from order_saga.api import health, webhooks
from order_saga.api.codec_endpoint import codec_router
from order_saga.api.dependencies import ApiConfig
from order_saga.api.problems import (
    ProblemError,
    install,
    problem_response,
)
from order_saga.api.routes import router
from order_saga.client import DEFAULT_DEADLINE_SECONDS

MAX_BODY_BYTES = 64 * 1024  # an order of 100 lines is a few KB


async def limit_body(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse a body larger than any order before reading it (a declared length; a chunked
    body is for a proxy in front to bound)."""
    length = request.headers.get("content-length", "0")
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        too_large = ProblemError(
            413, "too-large", "Request too large", f"a body is at most {MAX_BODY_BYTES} bytes"
        )
        return problem_response(request, too_large)
    return await call_next(request)


def create_app(
    client: Client,
    queue_prefix: str,
    *,
    default_deadline_seconds: int = DEFAULT_DEADLINE_SECONDS,
    codec: PayloadCodec | None = None,
    codec_origins: list[str] | None = None,
    engine: Engine | None = None,
    webhook_secret: str | None = None,
) -> FastAPI:
    """The app, on a connected client: it answers from its first request. With `codec`, it
    also serves the remote codec endpoint for the Web UI at `codec_origins`."""
    # Swagger UI and ReDoc from the package's own copies, not a CDN: air-gapped sites get docs.
    app = FastAPIOffline(
        title="order-saga",
        summary="Orders run as Temporal sagas: reserve, charge, ship; undone on failure.",
        version="1",
    )
    app.state.client = client
    app.state.config = ApiConfig(queue_prefix, default_deadline_seconds)
    app.state.engine = engine  # for the readiness probe: orders need the database
    app.state.webhook_secret = webhook_secret  # Stripe's events are verified with it
    install(app)
    app.include_router(router)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    if codec is not None:
        app.include_router(codec_router(codec))
        app.add_middleware(
            CORSMiddleware,
            allow_origins=codec_origins or [],
            allow_methods=["POST"],
            allow_headers=["content-type", "x-namespace", "authorization"],
        )
    app.middleware("http")(limit_body)  # outermost: nothing reads a body it refuses
    return app
