"""Errors as RFC 9457 problem details (`application/problem+json`), naming the bad field."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from order_saga.api.problem_types import MEANINGS
from order_saga.client import (
    IdempotencyKeyReused,
    NoWorkerAnswered,
    OrderError,
    OrderNotFound,
    ReturnNotFound,
)
from order_saga.field_errors import field_errors
from order_saga.temporal import TemporalUnreachable

PROBLEM_JSON = "application/problem+json"
# A problem's `type` is a URI of this API that answers with what the problem means
# (problem_types.py).
TYPES = "/problems/"


def responses(*statuses: int, location: int | None = None) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI responses a route can give besides its success: each a problem; with
    `location`, that status also sets `Location`, where the order's status is."""
    found: dict[int | str, dict[str, Any]] = {
        status: {"model": Problem, "content": {"application/problem+json": {}}}
        for status in statuses
    }
    if location is not None:
        found[location] = {
            "headers": {
                "Location": {
                    "description": "Where the order's status is: GET it for the outcome",
                    "schema": {"type": "string"},
                }
            }
        }
    return found


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The body of every error response."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class ProblemError(Exception):
    """An error an endpoint answers with; the handler turns it into problem+json."""

    def __init__(self, status: int, kind: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers: dict[str, str] = extra.pop("headers", {})
        self.errors: list[FieldProblem] | None = extra.pop("errors", None)


def problem_response(request: Request, error: ProblemError) -> JSONResponse:
    """The problem+json response of `error`, its instance the request's path."""
    body = Problem(
        type=TYPES + error.kind,
        title=error.title,
        status=error.status,
        detail=error.detail,
        instance=request.url.path,
        errors=error.errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=error.status,
        media_type=PROBLEM_JSON,
        headers=error.headers,
    )


# Starlette's own refusals (no such route, a method the route does not take), as problems.
HTTP_PROBLEMS = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
}


def field_problems(errors: Any) -> list[FieldProblem]:
    """pydantic's errors as `items.0.quantity: must be at least 1`, the request's part
    (body, query, path) left off."""
    return [FieldProblem(field=f, message=m) for f, m in field_errors(errors, whole="body")]


def install(app: FastAPI) -> None:
    """Answer every expected failure as problem+json (an unexpected one stays a 500), and
    serve what each problem type means at its type URI."""

    @app.get(TYPES + "{kind}", include_in_schema=False)
    async def _meaning(kind: str) -> JSONResponse:
        if kind not in MEANINGS:
            raise StarletteHTTPException(404, f"no problem type {kind!r}")
        return JSONResponse({"type": TYPES + kind, "meaning": MEANINGS[kind]})

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(request, error)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        kind, title = HTTP_PROBLEMS.get(error.status_code, ("http-error", "HTTP error"))
        problem = ProblemError(
            error.status_code, kind, title, str(error.detail), headers=dict(error.headers or {})
        )
        return problem_response(request, problem)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = field_problems(error.errors())
        detail = "; ".join(f"{p.field}: {p.message}" for p in problems)
        return problem_response(
            request,
            ProblemError(422, "invalid-request", "Invalid request", detail, errors=problems),
        )

    # The client API's refusals: Starlette picks the handler of the closest class in the
    # exception's MRO, so OrderError is the fallback of the two above it.
    @app.exception_handler(OrderNotFound)
    async def _missing(request: Request, error: OrderNotFound) -> JSONResponse:
        return problem_response(request, ProblemError(404, "no-order", "No such order", str(error)))

    @app.exception_handler(ReturnNotFound)
    async def _no_return(request: Request, error: ReturnNotFound) -> JSONResponse:
        missing = ProblemError(404, "no-return", "No such return", str(error))
        return problem_response(request, missing)

    @app.exception_handler(NoWorkerAnswered)
    async def _no_worker(request: Request, error: NoWorkerAnswered) -> JSONResponse:
        unavailable = ProblemError(
            503, "unavailable", "No worker answered", str(error), headers={"Retry-After": "5"}
        )
        return problem_response(request, unavailable)

    @app.exception_handler(IdempotencyKeyReused)
    async def _key_reused(request: Request, error: IdempotencyKeyReused) -> JSONResponse:
        reused = ProblemError(422, "idempotency-key-reused", "Idempotency-Key reused", str(error))
        return problem_response(request, reused)

    @app.exception_handler(OrderError)
    async def _refused(request: Request, error: OrderError) -> JSONResponse:
        return problem_response(request, ProblemError(409, "refused", "Refused", str(error)))

    @app.exception_handler(TemporalUnreachable)
    async def _unreachable(request: Request, error: TemporalUnreachable) -> JSONResponse:
        unavailable = ProblemError(
            503, "unavailable", "Temporal unavailable", str(error), headers={"Retry-After": "5"}
        )
        return problem_response(request, unavailable)

    @app.exception_handler(RPCError)
    async def _rpc(request: Request, error: RPCError) -> JSONResponse:
        unavailable = ProblemError(
            503,
            "unavailable",
            "Temporal did not answer",
            error.message,
            headers={"Retry-After": "5"},
        )
        return problem_response(request, unavailable)
