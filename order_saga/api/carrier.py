"""The carrier's webhook: `POST /webhooks/carrier`. A returned parcel delivered back to the
warehouse says so, as an operator's `receive` would (every unit usable: a unit found broken
is an operator's word, before the carrier's). Like Stripe's, it trusts a signature, not a
token: `Carrier-Signature: t=<unix time>,v1=<hex>`, HMAC-SHA256 keyed with
CARRIER_WEBHOOK_SECRET of `<t>.<raw body>`, at most five minutes old. The answer is 2xx
once the return has heard it (or never can: it has moved on), so the carrier retries
otherwise."""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError
from temporalio.service import RPCError

from activities.notification.signing import verify
from order_saga.api.dependencies import AppConfig, TemporalClient
from order_saga.api.problems import ProblemError
from order_saga.client import returns
from order_saga.client.errors import ReturnNotFound, ReturnRefused

log = logging.getLogger("order_saga.api.carrier")
router = APIRouter(include_in_schema=False)  # for the carrier, not for storefronts
DELIVERED = "return.delivered"


class CarrierEvent(BaseModel):
    """What the carrier tells: `return.delivered` for the return its label names."""

    type: Annotated[str, Field(min_length=1, max_length=64)]
    return_id: Annotated[str, Field(min_length=1, max_length=96)]
    tracking_number: Annotated[str, Field(max_length=64)] | None = None


@router.post("/webhooks/carrier")
async def carrier_webhook(
    request: Request,
    client: TemporalClient,
    config: AppConfig,
    signature: Annotated[str | None, Header(alias="Carrier-Signature")] = None,
) -> dict[str, object]:
    """Verify, then tell the return its parcel is back; 400 for a bad signature."""
    if config.carrier_secret is None:
        raise ProblemError(
            503, "unavailable", "Webhooks not configured", "CARRIER_WEBHOOK_SECRET is not set"
        )
    payload = await request.body()
    if not verify(config.carrier_secret, signature or "", payload, now=int(time.time())):
        raise ProblemError(
            400, "bad-signature", "Invalid webhook", "not a signed, fresh carrier event"
        )
    try:
        event = CarrierEvent.model_validate_json(payload)
    except ValidationError as error:  # signed, yet not an event: the fields it lacks named
        raise RequestValidationError(error.errors(include_url=False)) from error
    if event.type != DELIVERED:
        return {"received": True, "delivered": False}
    try:
        view = await returns.receive_return(client, event.return_id, [], by="carrier")
    except (ReturnRefused, ReturnNotFound) as refused:  # received before, rejected, expired
        log.info("carrier event for %s not delivered: %s", event.return_id, refused)
        return {"received": True, "delivered": False, "detail": str(refused)}
    except RPCError as err:
        raise ProblemError(
            503, "unavailable", "Temporal unavailable", "the event could not be delivered"
        ) from err
    return {"received": True, "delivered": True, "state": view.state}
