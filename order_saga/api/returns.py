"""Returns over HTTP: a customer (their own order), a storefront or an operator opens one;
an operator says the parcel is back, rejects one, or settles a refused refund."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from activities.returns.contracts import ReturnedItem
from order_saga.api.auth import Reader, Resolver, Returner
from order_saga.api.bodies import IdempotencyKey
from order_saga.api.dependencies import AppConfig, TemporalClient
from order_saga.api.problems import responses
from order_saga.client import return_opening, returns
from workflows.return_request import Reason, ReturnView

router = APIRouter()
REFUSALS = (401, 403, 503)


class ReturnAsked(BaseModel):
    items: Annotated[list[ReturnedItem], Field(min_length=1, max_length=100)]
    reason: Reason | None = None


class Received(BaseModel):
    unusable: Annotated[list[ReturnedItem], Field(max_length=100)] = Field(default_factory=list)


class Rejection(BaseModel):
    reason: Reason


class Resolution(BaseModel):
    action: Literal["retry", "mark-resolved"]
    note: Annotated[str | None, Field(min_length=1, max_length=2000)] = None


@router.post(
    "/api/orders/{order_id}/returns",
    status_code=201,
    response_model=ReturnView,
    responses=responses(404, 409, 413, 422, *REFUSALS),
)
async def open_return(
    order_id: str,
    asked: Annotated[ReturnAsked, Body()],
    request: Request,
    response: Response,
    client: TemporalClient,
    config: AppConfig,
    caller: Returner,
    idempotency_key: IdempotencyKey = None,
) -> ReturnView:
    """Open a return of shipped units (201, `Location` the return): refunded once the
    parcel is back. 409 naming why when the order shipped nothing, the units are already
    returned (or were never shipped), the money is already refunded, or the window closed.
    The same `Idempotency-Key` and body again answers with the return it opened."""
    view = await return_opening.open_return(
        client,
        order_id,
        asked.items,
        queue=f"{config.queue_prefix}-orders",
        by=caller.label,
        reason=asked.reason,
        customer=caller.customer_id,
        window_days=config.return_window_days,
        key=idempotency_key,
    )
    response.headers["Location"] = str(request.url_for("get_return", return_id=view.return_id).path)
    return view


@router.get(
    "/api/returns/{return_id}", response_model=ReturnView, responses=responses(404, *REFUSALS)
)
async def get_return(return_id: str, client: TemporalClient, caller: Reader) -> ReturnView:
    """Where a return is; a customer's own alone."""
    return await returns.return_status(client, return_id, customer=caller.customer_id)


@router.post(
    "/api/returns/{return_id}/receive",
    response_model=ReturnView,
    responses=responses(404, 409, 422, *REFUSALS),
)
async def receive_return(
    return_id: str,
    client: TemporalClient,
    caller: Resolver,
    received: Annotated[Received | None, Body()] = None,
) -> ReturnView:
    """The parcel is back (operators; a carrier's integration with an operator key): usable
    units go back on the shelf and the lines are refunded; `unusable` ones are not restocked."""
    unusable = (received or Received()).unusable
    return await returns.receive_return(client, return_id, unusable, by=caller.label)


@router.post(
    "/api/returns/{return_id}/reject",
    response_model=ReturnView,
    responses=responses(404, 409, 422, *REFUSALS),
)
async def reject_return(
    return_id: str,
    rejection: Annotated[Rejection, Body()],
    client: TemporalClient,
    caller: Resolver,
) -> ReturnView:
    """Refuse a return still awaiting its parcel (operators): nothing is refunded."""
    return await returns.reject_return(client, return_id, rejection.reason, by=caller.label)


@router.post(
    "/api/returns/{return_id}/resolve",
    response_model=ReturnView,
    responses=responses(404, 409, 422, *REFUSALS),
)
async def resolve_return(
    return_id: str,
    resolution: Annotated[Resolution, Body()],
    client: TemporalClient,
    caller: Resolver,
) -> ReturnView:
    """A refund the bank refused (operators): `retry` asks it again; `mark-resolved` with a
    note records that it was settled by hand."""
    return await returns.resolve_return(
        client, return_id, resolution.action, by=caller.label, note=resolution.note
    )
