"""The order API's routes: start, inspect, cancel and list orders over the client API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel, Field, model_validator
from temporalio.client import Client
from temporalio.converter import PayloadCodec

from order_saga import client as orders
from order_saga.api.codec_endpoint import codec_router
from order_saga.api.problems import (
    FieldProblem,
    Problem,
    ProblemError,
    install,
    problem_response,
)
from order_saga.client import DEFAULT_DEADLINE_SECONDS, ClosedOrder, OrderSummary
from workflows.order_request import OrderRequest, order_id_from
from workflows.order_state import SagaState, SagaStatus

MAX_BODY_BYTES = 64 * 1024  # an order of 100 lines is a few KB
PROBLEMS: dict[int | str, dict[str, object]] = {
    code: {"model": Problem, "content": {"application/problem+json": {}}}
    for code in (404, 409, 422, 503)
}


class Accepted(BaseModel):
    """A request taken: the saga runs; its status is at `status_url` (also `Location`)."""

    order_id: str
    workflow_id: str
    status_url: str


class Resolve(BaseModel):
    action: Literal["retry", "mark-resolved"]
    note: Annotated[str | None, Field(min_length=1, max_length=2000)] = None

    @model_validator(mode="after")
    def _note_with_mark_resolved(self) -> Resolve:
        if self.action == "mark-resolved" and not self.note:
            raise ValueError("mark-resolved needs a note: what was done, for the record")
        return self


class CancelRequest(BaseModel):
    reason: Annotated[str, Field(max_length=500)] = ""


def create_app(
    client: Client,
    queue_prefix: str,
    *,
    default_deadline_seconds: int = DEFAULT_DEADLINE_SECONDS,
    codec: PayloadCodec | None = None,
    codec_origins: list[str] | None = None,
) -> FastAPI:
    """The app, on a connected client: it answers from its first request. With `codec`, it
    also serves the remote codec endpoint for the Web UI at `codec_origins`."""
    app = FastAPI(
        title="order-saga",
        summary="Orders run as Temporal sagas: reserve, charge, ship; undone on failure.",
        version="1",
        responses=PROBLEMS,
    )
    install(app)
    if codec is not None:
        app.include_router(codec_router(codec))
        app.add_middleware(
            CORSMiddleware,
            allow_origins=codec_origins or [],
            allow_methods=["POST"],
            allow_headers=["content-type", "x-namespace", "authorization"],
        )

    @app.middleware("http")
    async def limit_body(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Refuse a body larger than any order before reading it (a declared length; a
        chunked body is for a proxy in front to bound)."""
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            too_large = ProblemError(
                413, "too-large", "Request too large", f"a body is at most {MAX_BODY_BYTES} bytes"
            )
            return problem_response(request, too_large)
        return await call_next(request)

    def accepted(request: Request, response: Response, order_id: str, workflow_id: str) -> Accepted:
        url = str(request.url_for("get_order", order_id=order_id).path)
        response.headers["Location"] = url
        return Accepted(order_id=order_id, workflow_id=workflow_id, status_url=url)

    @app.post("/api/orders", status_code=202, response_model=Accepted)
    async def create_order(
        order: Annotated[OrderRequest, Body()], request: Request, response: Response
    ) -> Accepted:
        """Validate the order and start its saga. One saga per order id: a second request
        for the same order is answered 409 with the first one's `Location`."""
        try:
            handle = await orders.start_order(
                client, order, queue_prefix, default_deadline_seconds=default_deadline_seconds
            )
        except orders.OrderAlreadyStarted as err:
            location = str(request.url_for("get_order", order_id=order.order_id).path)
            raise ProblemError(
                409, "order-exists", "Order exists", str(err), headers={"Location": location}
            ) from err
        return accepted(request, response, order.order_id, handle.id)

    @app.get("/api/orders/{order_id}", response_model=SagaStatus | ClosedOrder)
    async def get_order(order_id: str, request: Request) -> SagaStatus | ClosedOrder:
        """Where the saga is and how each step went (the order id or the workflow id)."""
        return await orders.order_status(client, order_id)

    @app.post("/api/orders/{order_id}/cancel", status_code=202, response_model=Accepted)
    async def cancel_order(
        order_id: str,
        request: Request,
        response: Response,
        cancel: Annotated[CancelRequest | None, Body()] = None,
    ) -> Accepted:
        """Ask the saga to undo what it did, newest first; refused (409) once the shipment is
        handed to the carrier or the order has ended. Follow `Location` for the outcome."""
        handle = await orders.request_cancel(client, order_id, (cancel or CancelRequest()).reason)
        return accepted(request, response, order_id_from(handle.id), handle.id)

    @app.post("/api/orders/{order_id}/resolve", response_model=SagaStatus)
    async def resolve_order(order_id: str, resolution: Annotated[Resolve, Body()]) -> SagaStatus:
        """Settle a saga waiting in COMPENSATION_FAILED: `retry` its failed undos, or
        `mark-resolved` with a note of what was done by hand (the saga then ends RESOLVED).
        409 when it is not waiting for a person."""
        if resolution.action == "retry":
            return await orders.retry_undos(client, order_id)
        return await orders.mark_resolved(client, order_id, resolution.note or "")

    @app.get("/api/orders", response_model=list[OrderSummary])
    async def list_orders(
        request: Request,
        status: Annotated[
            str | None, Query(description=f"OrderStatus: {', '.join(SagaState)}")
        ] = None,
        customer: Annotated[str | None, Query(max_length=64, description="CustomerId")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[OrderSummary]:
        """Orders through Temporal visibility, newest first."""
        try:
            return await orders.list_orders(client, status=status, customer=customer, limit=limit)
        except orders.InvalidFilter as err:
            problem = FieldProblem(field=err.field, message=str(err))
            raise ProblemError(
                422, "invalid-request", "Invalid request", f"{err.field}: {err}", errors=[problem]
            ) from err

    return app
