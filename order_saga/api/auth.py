"""The API's trust boundary: every route but the probes and Stripe's signed webhook names its
caller (`Authorization: Bearer ...`), and each route allows the roles the table in
`order_saga.access.roles` gives. 401 for no or bad credentials, 403 for a known caller
without the right; neither says whether an order exists."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem
from limits.strategies import RateLimiter

from order_saga.access.authenticator import Authenticator
from order_saga.access.roles import Action, Caller, Role
from order_saga.access.tokens import AuthUnavailable, NoRole, Unauthenticated
from order_saga.api.problems import ProblemError

LOG = logging.getLogger("order_saga.api")
REALM = 'Bearer realm="order-saga"'
bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`osk_...`, from `order-saga api-key create`) or a JWT from the "
    "identity provider (AUTH_JWKS_URL)",
)


def unauthenticated(reason: str, *, token_given: bool) -> ProblemError:
    """401 with the RFC 6750 challenge; a presented token that failed says `invalid_token`."""
    challenge = f'{REALM}, error="invalid_token"' if token_given else REALM
    return ProblemError(
        401, "unauthenticated", "Unauthenticated", reason, headers={"WWW-Authenticate": challenge}
    )


def caller_of(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Who sent the request. Synchronous on purpose: FastAPI runs it in a thread, as the key
    lookup and a JWKS refresh block."""
    authenticator: Authenticator = request.app.state.authenticator
    try:
        caller = authenticator.caller(credentials.credentials if credentials else None)
    except Unauthenticated as err:
        raise unauthenticated(str(err), token_given=credentials is not None) from err
    except NoRole as err:
        raise ProblemError(403, "forbidden", "Forbidden", str(err)) from err
    except AuthUnavailable as err:
        raise ProblemError(
            503, "unavailable", "Cannot check credentials", str(err), headers={"Retry-After": "5"}
        ) from err
    return caller


def allowed(action: Action) -> Callable[[Caller], Caller]:
    """A dependency: the caller, if their role may do `action`; 403 otherwise."""

    def check(caller: Annotated[Caller, Depends(caller_of)]) -> Caller:
        if not caller.may(action):
            raise ProblemError(
                403, "forbidden", "Forbidden", f"the {caller.role} role may not {action} orders"
            )
        return caller

    return check


def within_rate(request: Request, caller: Caller) -> None:
    """Count one order start for `caller`; 429 with `Retry-After` when over their rate."""
    limiter: RateLimiter = request.app.state.limiter
    rate: RateLimitItem = request.app.state.create_rate
    try:
        if limiter.hit(rate, caller.label):
            return
    except Exception as err:  # the shared store (Redis) is away: our outage, not the caller's
        LOG.warning("rate limit store unreachable: %s", type(err).__name__)
        raise ProblemError(
            503,
            "unavailable",
            "Unavailable",
            "the rate limit's store cannot be reached; try again shortly",
            headers={"Retry-After": "5"},
        ) from err
    reset_at = limiter.get_window_stats(rate, caller.label).reset_time
    wait = max(1, math.ceil(reset_at - time.time()))
    raise ProblemError(
        429,
        "rate-limited",
        "Too many orders",
        f"at most {rate.amount} orders per {rate.multiples} {rate.GRANULARITY.name} per caller",
        headers={"Retry-After": str(wait)},
    )


LOOPBACK = frozenset({"127.0.0.1", "::1"})
LOCAL_WEB_UI = Caller(name="local-web-ui", role=Role.OPERATOR, via="loopback")


def decoder(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Caller:
    """Operators alone may decrypt; in the embedded dev stack (whose Web UI has no login to
    forward), also the browser on this machine, asking without credentials over loopback."""
    client = request.client
    if (
        credentials is None
        and request.app.state.codec_for_local_ui
        and client is not None
        and client.host in LOOPBACK
    ):
        return LOCAL_WEB_UI
    return allowed(Action.DECODE)(caller_of(request, credentials))


Creator = Annotated[Caller, Depends(allowed(Action.CREATE))]
Reader = Annotated[Caller, Depends(allowed(Action.READ))]
Lister = Annotated[Caller, Depends(allowed(Action.LIST))]
Canceller = Annotated[Caller, Depends(allowed(Action.CANCEL))]
Amender = Annotated[Caller, Depends(allowed(Action.AMEND))]
Resolver = Annotated[Caller, Depends(allowed(Action.RESOLVE))]
Reviewer = Annotated[Caller, Depends(allowed(Action.REVIEW))]
Returner = Annotated[Caller, Depends(allowed(Action.RETURN))]
Subscriber = Annotated[Caller, Depends(allowed(Action.SUBSCRIBE))]
Decoder = Annotated[Caller, Depends(decoder)]
