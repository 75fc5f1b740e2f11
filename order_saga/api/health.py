"""Probes for a deployment: liveness (the process answers) and readiness (what an order needs,
Temporal and the database, answers too). Left out of the OpenAPI document: they are for the
platform, not for storefronts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from order_saga.api.dependencies import TemporalClient
from order_saga.probes import readiness, verdict

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, client: TemporalClient) -> JSONResponse:
    """Readiness: 200 when Temporal and the database answer, else 503 naming what does not."""
    ready, results = await readiness(client, getattr(request.app.state, "engine", None))
    return JSONResponse(
        verdict(ready, results),
        status_code=200 if ready else 503,
        headers={} if ready else {"Retry-After": "5"},
    )
