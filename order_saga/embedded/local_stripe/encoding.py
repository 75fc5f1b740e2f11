"""Stripe's wire shapes: nested form encoding in, list envelopes out."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from order_saga.embedded.local_stripe.answers import Json

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


def list_of(items: list[Json], url: str, query: Any) -> Json:
    """A list envelope of the newest `limit` items (10 by default, at most 100)."""
    limit = min(int(query.get("limit", 10)), 100)
    newest_first = sorted(items, key=lambda o: o["created"], reverse=True)
    return {
        "object": "list",
        "url": url,
        "has_more": len(newest_first) > limit,
        "data": newest_first[:limit],
    }
