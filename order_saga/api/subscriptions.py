"""`/api/webhooks`: the subscribers to order events, for operators (the same as the CLI's
`order-saga webhooks`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from order_saga import subscriptions
from order_saga.api.auth import Subscriber
from order_saga.api.problems import FieldProblem, ProblemError, responses

router = APIRouter()
REFUSALS = (401, 403, 503)


class NewSubscription(BaseModel):
    url: Annotated[str, Field(max_length=2000)]
    events: Annotated[list[str], Field(max_length=20)] = ["*"]


class SubscriptionOut(BaseModel):
    """A subscriber; `secret` only in the answer that created it."""

    id: int
    url: str
    events: list[str]
    created_at: datetime
    secret: str | None = None


class TestDelivery(BaseModel):
    # Whether the subscriber took the signed sample (a 2xx answer). Nothing else is told of
    # what answered or why not: the endpoint must not scan addresses for whoever calls it.
    delivered: bool


def engine_of(request: Request) -> Engine:
    """The API's database: subscribers live there."""
    engine: Engine | None = request.app.state.engine
    if engine is None:
        raise ProblemError(503, "unavailable", "Unavailable", "this API has no database")
    return engine


def out(subscription: subscriptions.Subscription) -> SubscriptionOut:
    """A subscription as the API shows it."""
    return SubscriptionOut(
        id=subscription.id,
        url=subscription.url,
        events=subscription.events,
        created_at=subscription.created_at,
        secret=subscription.secret,
    )


@router.post(
    "/api/webhooks",
    status_code=201,
    response_model=SubscriptionOut,
    responses=responses(422, *REFUSALS),
)
async def add_subscriber(
    request: Request, new: Annotated[NewSubscription, Body()], caller: Subscriber
) -> SubscriptionOut:
    """Register a subscriber to order events (operators); the answer carries its signing
    secret, shown this once."""
    try:
        added = await asyncio.to_thread(
            subscriptions.subscribe,
            engine_of(request),
            new.url,
            new.events,
            request.app.state.webhook_targets,
        )
    except subscriptions.SubscriptionError as err:
        problem = FieldProblem(field=err.field, message=str(err))
        raise ProblemError(
            422, "invalid-request", "Invalid request", f"{err.field}: {err}", errors=[problem]
        ) from err
    return out(added)


@router.get("/api/webhooks", response_model=list[SubscriptionOut], responses=responses(*REFUSALS))
async def list_subscribers(request: Request, caller: Subscriber) -> list[SubscriptionOut]:
    """The active subscribers (no secrets)."""
    return [out(s) for s in await asyncio.to_thread(subscriptions.listed, engine_of(request))]


@router.delete(
    "/api/webhooks/{subscriber_id}", status_code=204, responses=responses(404, *REFUSALS)
)
async def remove_subscriber(request: Request, subscriber_id: int, caller: Subscriber) -> Response:
    """Send it nothing more."""
    removed = await asyncio.to_thread(subscriptions.unsubscribe, engine_of(request), subscriber_id)
    if not removed:
        raise ProblemError(404, "not-found", "Not found", f"no active subscriber {subscriber_id}")
    return Response(status_code=204)


@router.post(
    "/api/webhooks/{subscriber_id}/test",
    response_model=TestDelivery,
    responses=responses(404, *REFUSALS),
)
async def test_subscriber(request: Request, subscriber_id: int, caller: Subscriber) -> TestDelivery:
    """Send the subscriber a signed sample order.completed: delivered or not, and no more."""
    target = await asyncio.to_thread(subscriptions.target_of, engine_of(request), subscriber_id)
    if target is None:
        raise ProblemError(404, "not-found", "Not found", f"no active subscriber {subscriber_id}")
    policy = request.app.state.webhook_targets
    return TestDelivery(delivered=await subscriptions.send_sample(*target, policy))
