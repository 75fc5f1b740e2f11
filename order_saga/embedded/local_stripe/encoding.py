"""Stripe's wire shapes: nested form encoding in, list envelopes out."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from order_saga.embedded.local_stripe.answers import Json, StripeFailure, missing, positive_int
from order_saga.embedded.local_stripe.index import CreationIndex

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def decode_form(body: str) -> Json:
    """Stripe's nested form encoding: metadata[order_id]=x, payment_method_types[0]=card."""
    result: Json = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = raw_key.partition("[")
        parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        node: Any = result
        for part, nxt in zip(parts, [*parts[1:], None], strict=True):
            if nxt is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    decoded: Json = _lists(result)
    return decoded


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def list_of(
    index: CreationIndex,
    ids: Sequence[str],
    objects: Mapping[str, Json],
    url: str,
    query: Any,
    kind: str,
) -> Json:
    """One page of a Stripe list of `ids` (creation order), newest first: `limit` (1-100,
    default 10), `starting_after` or `ending_before` (an object id), and `has_more`, so
    `auto_paging_iter()` ends. A page costs its length, however many objects there are."""
    limit = positive_int(query.get("limit", 10), "limit")
    if limit > 100:
        raise StripeFailure(
            400,
            "invalid_request_error",
            "Invalid limit: must be between 1 and 100",
            code="parameter_invalid_integer",
            param="limit",
        )
    after, before = query.get("starting_after"), query.get("ending_before")
    cursor, param = (after, "starting_after") if after else (before, "ending_before")
    if cursor:
        at = index.find(ids, str(cursor))
        if at is None:
            raise missing(kind, str(cursor), param)
        if after:  # older than the cursor: the newest of them first
            first, last, more = max(0, at - limit), at, at > limit
        else:  # newer than the cursor: the ones right after it
            first, last = at + 1, min(len(ids), at + 1 + limit)
            more = len(ids) - (at + 1) > limit
    else:
        first, last, more = max(0, len(ids) - limit), len(ids), len(ids) > limit
    page = [objects[ids[i]] for i in range(last - 1, first - 1, -1)]
    return {"object": "list", "url": url, "has_more": more, "data": page}
