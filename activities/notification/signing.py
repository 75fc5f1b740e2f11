"""How an event is signed, the way Stripe signs its own, so a subscriber can check it came
from us and is fresh: the header `Order-Saga-Signature: t=<unix time>,v1=<hex>` where the hex
is HMAC-SHA256, keyed with the subscriber's secret, of `<t>.<raw body>`."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Order-Saga-Signature"
SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300  # a signature older than this is refused: replays go stale


def new_secret() -> str:
    """A subscriber's signing secret: 256 random bits."""
    return f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes, *, now: int) -> bool:
    """What a subscriber does: the header parses, a v1 signature matches (compared in
    constant time) and its time is within TOLERANCE_SECONDS of `now`."""
    parts = [part.partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in parts if key == "t"]
    if len(stamps) != 1 or not stamps[0].isdigit():
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret, timestamp, body).rpartition("v1=")[2]
    return any(key == "v1" and hmac.compare_digest(value, expected) for key, _, value in parts)
