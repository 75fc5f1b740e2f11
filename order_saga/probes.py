"""Readiness as a deployment's probes see it, for the HTTP API and the worker alike: Temporal's
frontend serving and, where the process uses it, the database answering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from sqlalchemy import Engine, text
from temporalio.client import Client

CHECK_TIMEOUT_SECONDS = 3.0


async def readiness(client: Client, engine: Engine | None) -> tuple[bool, dict[str, str]]:
    """Whether every dependency answers within the timeout, and each one's verdict."""
    checks: dict[str, Awaitable[None]] = {"temporal": _temporal(client)}
    if engine is not None:
        checks["database"] = asyncio.to_thread(_database, engine)
    results = {}
    for name, check in checks.items():
        try:
            await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
            results[name] = "ok"
        except Exception as err:  # a probe reports any failure, it does not raise it
            results[name] = f"unavailable: {type(err).__name__}"
    return all(result == "ok" for result in results.values()), results


def verdict(ready: bool, results: dict[str, str]) -> dict[str, object]:
    """The probe's JSON body, the same from every process."""
    return {"status": "ready" if ready else "not ready", "checks": results}


async def _temporal(client: Client) -> None:
    if not await client.service_client.check_health():
        raise ConnectionError("the frontend is not serving")


def _database(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
