"""Probes for a deployment: liveness (the process answers) and readiness (what an order needs,
Temporal and the database, answers too). Left out of the OpenAPI document: they are for the
platform, not for storefronts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from temporalio.client import Client

from order_saga.api.dependencies import TemporalClient

CHECK_TIMEOUT_SECONDS = 3.0
router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, client: TemporalClient) -> JSONResponse:
    """Readiness: 200 when Temporal and the database answer, else 503 naming what does not."""
    checks: dict[str, Awaitable[None]] = {"temporal": _temporal(client)}
    engine = getattr(request.app.state, "engine", None)
    if engine is not None:
        checks["database"] = asyncio.to_thread(_database, engine)
    results = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as err:  # a probe reports any failure, it does not raise it
            results[name] = f"unavailable: {type(err).__name__}"
    ready = all(result == "ok" for result in results.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": results},
        status_code=200 if ready else 503,
        headers={} if ready else {"Retry-After": "5"},
    )


async def _temporal(client: Client) -> None:
    if not await client.service_client.check_health():
        raise ConnectionError("the frontend is not serving")


def _database(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
