"""Subscriber URLs cannot point inside the network (server-side request forgery): the secured
API, as deployed, refuses loopback, link-local, private and plain-http targets at
registration, naming the field, and its test endpoint tells delivered or not, nothing more."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import select

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.subscribers import WebhookSubscriber
from order_saga.access.roles import Role
from testkit.subscriber import Subscriber, serve_subscriber
from tests.order_saga.api.conftest import SecuredApi

pytestmark = pytest.mark.slow


async def test_inner_addresses_are_refused_naming_the_url(
    secured: SecuredApi, http: httpx.AsyncClient
) -> None:
    operator = secured.key(Role.OPERATOR)
    own = urlsplit(secured.url)
    inner = [
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://127.0.0.1:7233/",  # Temporal's frontend on the same host
        f"https://{own.hostname}:{own.port}/api/orders",  # the API itself
        "https://localhost/",
        "https://[::1]/",
        "https://[::ffff:10.0.0.1]/",  # an IPv4 private address inside IPv6
        "https://10.1.2.3/",
        "https://192.168.1.1/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "http://93.184.215.14/",  # public, but plain http: production sends over https
    ]
    for url in inner:
        refused = await http.post("/api/webhooks", json={"url": url}, headers=operator)
        assert refused.status_code == 422, (url, refused.text)
        assert [e["field"] for e in refused.json()["errors"]] == ["url"], url
    with transaction(secured.engine) as session:
        stored = {row.url for row in session.exec(select(WebhookSubscriber))}
    assert not stored & set(inner)


async def test_the_test_endpoint_tells_delivered_or_not_and_nothing_more(
    secured: SecuredApi, http: httpx.AsyncClient
) -> None:
    """A subscriber whose address turned inner after registration (DNS changed, a row written
    by hand) is not sent the sample, and the answer is the one any failure gets."""
    operator = secured.key(Role.OPERATOR)
    hook = Subscriber()
    async with serve_subscriber(hook) as url:
        answers = []
        for target in (url, "http://127.0.0.1:1/refused", "http://169.254.169.254/"):
            with transaction(secured.engine) as session:
                row = subscribers.add(
                    session=session, url=target, events=["order.completed"], secret="whsec_t"
                )
                subscriber_id = row.id
            tested = await http.post(f"/api/webhooks/{subscriber_id}/test", headers=operator)
            answers.append((tested.status_code, tested.json()))
            await http.delete(f"/api/webhooks/{subscriber_id}", headers=operator)
    assert answers == [(200, {"delivered": False})] * 3
    assert hook.received == []  # the loopback subscriber was never sent anything
