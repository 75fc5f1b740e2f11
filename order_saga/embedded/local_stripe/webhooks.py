"""Webhooks from the local Stripe server, as Stripe sends them: each event POSTed as JSON to the
endpoint, signed in `Stripe-Signature` (`t=<unix time>,v1=<HMAC-SHA256 of "t.payload" with
the endpoint's secret>`), delivered at least once: an event stays in the journal until the
endpoint answers 2xx, and a failed delivery is tried again with backoff (1 s doubling to a
minute), after a restart too. One event's failures do not hold back the others."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from order_saga.embedded.local_stripe.ledger import Ledger

log = logging.getLogger("order_saga.local_stripe.webhooks")
MAX_BACKOFF_SECONDS = 60.0
WARN_AFTER = 5


@dataclass(frozen=True)
class WebhookEndpoint:
    url: str
    secret: str


def stripe_signature(payload: bytes, secret: str, at: int) -> str:
    """The `Stripe-Signature` header of `payload` signed at `at`, Stripe's v1 scheme."""
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256)
    return f"t={at},v1={mac.hexdigest()}"


async def deliver_forever(
    ledger: Ledger, delivered: Callable[[str], None], endpoint: WebhookEndpoint
) -> None:
    """Send every pending event of `ledger` to `endpoint` until cancelled; `delivered`
    journals an event the endpoint took."""
    wake = asyncio.Event()
    ledger.on_event = wake.set
    retry_at: dict[str, tuple[int, float]] = {}  # event id -> (failures, when to try again)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        while True:
            wake.clear()  # an event emitted from here on wakes the wait below
            now = time.monotonic()
            due = [e for e in list(ledger.events) if retry_at.get(e, (0, 0.0))[1] <= now]
            for event_id in due:
                event = ledger.events.get(event_id)
                if event is None:
                    continue
                why = await _post(session, endpoint, event)
                if why is None:
                    delivered(event_id)
                    retry_at.pop(event_id, None)
                else:
                    failures = retry_at.get(event_id, (0, 0.0))[0] + 1
                    # An endpoint that is starting or stopping (dev's own API) misses a few:
                    # said once it has missed five (half a minute), then every tenth.
                    if failures == WARN_AFTER or failures % 10 == 0:
                        log.warning(
                            "webhook %s to %s failed %d times (%s); trying again",
                            event_id,
                            endpoint.url,
                            failures,
                            why,
                        )
                    delay = min(MAX_BACKOFF_SECONDS, 2.0 ** (failures - 1))
                    retry_at[event_id] = (failures, time.monotonic() + delay)
            waits = [when for _, when in retry_at.values()]
            timeout = max(0.0, min(waits) - time.monotonic()) if waits else None
            with contextlib.suppress(TimeoutError):  # a retry is due
                await asyncio.wait_for(wake.wait(), timeout)


async def _post(
    session: aiohttp.ClientSession, endpoint: WebhookEndpoint, event: dict[str, object]
) -> str | None:
    """POST one event; None when the endpoint took it, else why not."""
    payload = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": stripe_signature(payload, endpoint.secret, int(time.time())),
    }
    try:
        async with session.post(endpoint.url, data=payload, headers=headers) as answer:
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except (aiohttp.ClientError, TimeoutError) as err:
        return str(err) or type(err).__name__
