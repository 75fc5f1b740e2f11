"""The load generator's storefront path: each order placed over the HTTP API as a storefront
places it (its API key, an Idempotency-Key), its outcome then read from Temporal."""

from __future__ import annotations

import asyncio

import aiohttp
from temporalio.client import Client

from order_saga.load import outcome_of
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult


class ApiPlacer:
    """An `Execute` for `run_load`: POST /api/orders, waiting out a 429's `Retry-After`."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, key: str) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + "/api/orders"
        self._key = key

    async def __call__(self, client: Client, order: OrderRequest, queue_prefix: str) -> str:
        """Place the order; its saga's outcome."""
        headers = {"Authorization": f"Bearer {self._key}", "Idempotency-Key": order.order_id}
        body = order.model_dump(mode="json", exclude_none=True)
        while True:
            async with self._session.post(self._url, json=body, headers=headers) as answer:
                if answer.status == 429:  # over this caller's rate: as asked, come back later
                    await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                    continue
                if answer.status != 202:
                    raise PlacementRefused(
                        f"POST {self._url}: {answer.status} {await answer.text()}"
                    )
                workflow_id = (await answer.json())["workflow_id"]
                break
        return await outcome_of(client.get_workflow_handle(workflow_id, result_type=OrderResult))


class PlacementRefused(RuntimeError):
    """The API refused an order (a bad key, a bad order): the run stops, saying why."""
