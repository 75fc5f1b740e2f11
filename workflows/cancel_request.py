"""A cancel's reason and who asked for it, carried in the one payload a Temporal cancel has."""

from __future__ import annotations

import json

# A cancel carries its requester in the cancel request's reason (the one payload a Temporal
# cancel has), as JSON; a plain reason (the Web UI's, `temporal workflow cancel`'s) names no one.
CANCELLED_BY = "cancelled_by"


def cancel_reason_with(reason: str, by: str | None) -> str:
    """The reason a client sends with its cancel: the person's words and who they are."""
    if by is None:
        return reason
    return json.dumps({CANCELLED_BY: by, "reason": reason}, ensure_ascii=False)


def cancel_request_of(sent: str) -> tuple[str, str | None]:
    """A cancel's reason and requester, from what the client sent."""
    try:
        fields = json.loads(sent)
    except ValueError:
        return sent, None
    if not isinstance(fields, dict) or not isinstance(fields.get(CANCELLED_BY), str):
        return sent, None
    return str(fields.get("reason", "")), fields[CANCELLED_BY]
