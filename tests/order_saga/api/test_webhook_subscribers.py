"""Operators manage the subscribers to order events over the API: add (the secret shown
once), list (never a secret), send a signed sample, remove."""

from __future__ import annotations

import httpx
import pytest

from order_saga.access.roles import Role
from testkit.subscriber import Subscriber, serve_subscriber
from tests.order_saga.api.conftest import SecuredApi


@pytest.mark.webhook_private_targets  # the subscriber listens on this machine
async def test_an_operator_adds_tests_lists_and_removes_a_subscriber(
    secured: SecuredApi, http: httpx.AsyncClient
) -> None:
    operator = secured.key(Role.OPERATOR)
    hook = Subscriber()
    async with serve_subscriber(hook) as url:
        added = await http.post(
            "/api/webhooks",
            json={"url": url, "events": ["order.completed", "order.cancelled"]},
            headers=operator,
        )
        assert added.status_code == 201, added.text
        body = added.json()
        assert body["secret"].startswith("whsec_")
        assert body["events"] == ["order.completed", "order.cancelled"]
        hook.secret = body["secret"]

        tested = await http.post(f"/api/webhooks/{body['id']}/test", headers=operator)
        assert tested.json() == {"delivered": True}
        assert hook.forged == 0 and hook.received[0]["type"] == "order.completed"

        listed = (await http.get("/api/webhooks", headers=operator)).json()
        mine = [s for s in listed if s["id"] == body["id"]]
        assert mine and mine[0]["secret"] is None  # shown once, at creation

        gone = await http.delete(f"/api/webhooks/{body['id']}", headers=operator)
        again = await http.delete(f"/api/webhooks/{body['id']}", headers=operator)
    assert (gone.status_code, again.status_code) == (204, 404)
    assert body["id"] not in [
        s["id"] for s in (await http.get("/api/webhooks", headers=operator)).json()
    ]


async def test_bad_subscriptions_name_the_field(
    secured: SecuredApi, http: httpx.AsyncClient
) -> None:
    operator = secured.key(Role.OPERATOR)
    bad_url = await http.post("/api/webhooks", json={"url": "ftp://x"}, headers=operator)
    bad_events = await http.post(
        "/api/webhooks", json={"url": "https://x.example/h", "events": ["order.shipped"]},
        headers=operator,
    )  # fmt: skip
    storefront = await http.post(
        "/api/webhooks", json={"url": "https://x.example/h"}, headers=secured.key(Role.STOREFRONT)
    )
    assert bad_url.status_code == 422 and bad_url.json()["errors"][0]["field"] == "url"
    assert bad_events.status_code == 422 and "order.shipped" in bad_events.json()["detail"]
    assert storefront.status_code == 403
