"""The order API's OpenAPI document (`order-saga api` as a process): served with its docs
pages from the package (no CDN), every route listed, each answer a route can give named, the
checkout's `Prefer` header and its answers among them, and no secret in it."""

from __future__ import annotations

import re

from tests.order_saga.api.api_process import api

__all__ = ["api"]  # the fixture: `order-saga api` in its own process


def test_openapi_docs_are_served_with_no_internet(api) -> None:
    for page in ("/docs", "/redoc"):
        html = api.get(page).text
        scripts = re.findall(r'<script src="([^"]+)"', html)
        assert scripts and all(src.startswith("/") for src in scripts), scripts  # no CDN
        for src in scripts:
            asset = api.get(src)
            assert asset.status_code == 200 and len(asset.content) > 10_000, src
    paths = api.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/orders",
        "/api/orders/{order_id}",
        "/api/orders/{order_id}/cancel",
        "/api/orders/{order_id}/resolve",
        "/api/orders/{order_id}/returns",
        "/api/orders/{order_id}/review",
        "/api/returns/{return_id}",
        "/api/returns/{return_id}/receive",
        "/api/returns/{return_id}/reject",
        "/api/returns/{return_id}/resolve",
        "/api/webhooks",
        "/api/webhooks/{subscriber_id}",
        "/api/webhooks/{subscriber_id}/test",
    }


def test_the_document_names_each_answer_of_a_start(api) -> None:
    spec = api.get("/openapi.json")
    documented = spec.json()["paths"]["/api/orders"]["post"]["responses"]
    # 201 and 402: a checkout's answers (`Prefer: wait=N`).
    answers = ["201", "202", "401", "402", "403", "409", "413", "422", "429", "503"]
    assert sorted(documented) == answers
    headers = spec.json()["paths"]["/api/orders"]["post"]["parameters"]
    assert {"prefer", "idempotency-key"} <= {p["name"] for p in headers}
    assert "CheckoutAnswer" in documented["201"]["content"]["application/json"]["schema"]["$ref"]
    assert spec.json()["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert api.headers["Authorization"].removeprefix("Bearer ") not in spec.text
    assert "Location" in documented["202"]["headers"]
