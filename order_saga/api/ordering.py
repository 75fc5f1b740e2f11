"""`POST /api/orders`: validate an order and start its saga, once per order id; with
`Prefer: wait=N`, answer with its payment's outcome (checkout.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Header, Request, Response
from fastapi.responses import JSONResponse

from order_saga import client as orders
from order_saga.api.auth import Creator, within_rate
from order_saga.api.bodies import IdempotencyKey
from order_saga.api.checkout import PREFER_HELP, CheckoutAnswer, answer, wait_preference
from order_saga.api.dependencies import AppConfig, TemporalClient
from order_saga.api.problems import ProblemError, responses
from order_saga.api.routes import REFUSALS, Accepted, accepted
from order_saga.client.checkout import checkout
from workflows.order_request import OrderRequest

router = APIRouter()
CHECKOUT_ANSWERED = {
    "model": CheckoutAnswer,
    "description": "`Prefer: wait=N`: the payment's answer",
}


@router.post(
    "/api/orders",
    status_code=202,
    response_model=Accepted,
    responses={
        **responses(402, 409, 413, 422, 429, *REFUSALS, location=202),
        201: {
            "model": CheckoutAnswer,
            "description": "With `Prefer: wait=N`: the payment's answer",
        },
    },
)
async def create_order(
    order: Annotated[OrderRequest, Body()],
    caller: Creator,
    request: Request,
    response: Response,
    client: TemporalClient,
    config: AppConfig,
    idempotency_key: IdempotencyKey = None,
    prefer: Annotated[str | None, Header(description=PREFER_HELP)] = None,
) -> Accepted | JSONResponse:
    """Validate the order and start its saga. One saga per order id: a second request
    for the same order is answered 409 with the first one's `Location`, unless it repeats
    the first one's `Idempotency-Key` and body (then it gets the first answer again; an
    order without `order_id` gets one from the key).
    A customer's token orders for its own customer id alone, under an id it does not choose
    (a 409 for a chosen one would tell that another customer's order has it). With
    `Prefer: wait=N`, the answer waits for the payment's (order_saga/api/checkout.py)."""
    if caller.customer_id is not None:
        if order.customer_id != caller.customer_id:
            raise ProblemError(
                403, "forbidden", "Forbidden", "customer_id: a customer orders for themselves only"
            )
        if "order_id" in order.model_fields_set:  # a chosen id could name another's order
            raise ProblemError(
                403,
                "forbidden",
                "Forbidden",
                "order_id: a customer's order gets its id from the API (or from its "
                "Idempotency-Key)",
            )
    within_rate(request, caller)
    idempotency = None
    if idempotency_key is not None:
        if "order_id" not in order.model_fields_set:  # the same key, the same order
            order = order.model_copy(
                update={"order_id": orders.order_id_for_key(idempotency_key, caller.customer_id)}
            )
        idempotency = orders.Idempotency.of(idempotency_key, order)
    wait = wait_preference(prefer)
    try:
        if wait is not None:
            asked = await checkout(
                client,
                order,
                config.queue_prefix,
                wait=wait,
                key=idempotency_key,
                default_deadline_seconds=config.default_deadline_seconds,
            )
            response.headers["Preference-Applied"] = f"wait={wait}"
            return answer(request, asked, order.order_id, wait) or accepted(
                request, response, order.order_id, asked.handle.id
            )
        handle = await orders.start_order(
            client,
            order,
            config.queue_prefix,
            default_deadline_seconds=config.default_deadline_seconds,
            idempotency=idempotency,
            eager=config.eager_start,
        )
    except orders.OrderAlreadyStarted as err:
        location = str(request.url_for("get_order", order_id=order.order_id).path)
        raise ProblemError(
            409, "order-exists", "Order exists", str(err), headers={"Location": location}
        ) from err
    return accepted(request, response, order.order_id, handle.id)
