"""Which warehouse each line ships from: the fewest warehouses (so the fewest parcels), each
line whole from one that holds all its units; the home warehouse first among equals, then by
name, so the same stock always gives the same plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

from activities.inventory.contracts import OrderItem
from activities.messages import HOME_WAREHOUSE

# Past this many candidate warehouses the exact search gives way to the greedy one.
EXACT_UP_TO = 12

Holdings = Mapping[str, Mapping[str, int]]  # warehouse -> sku -> units on hand


def plan(items: Sequence[OrderItem], holdings: Holdings) -> dict[str, str] | None:
    """Each line's warehouse by SKU, or None when a line is held whole nowhere."""
    order = _preference(holdings)
    able = {i.sku: [w for w in order if holdings[w].get(i.sku, 0) >= i.quantity] for i in items}
    if not all(able.values()):
        return None
    candidates = [w for w in order if any(w in ws for ws in able.values())]
    chosen = _exact(able, candidates) if len(candidates) <= EXACT_UP_TO else None
    chosen = chosen or _greedy(able, candidates)
    return {sku: next(w for w in chosen if w in ws) for sku, ws in able.items()}


def short_lines(items: Sequence[OrderItem], holdings: Holdings) -> list[OrderItem]:
    """The lines no single warehouse holds whole."""
    return [i for i in items if not any(h.get(i.sku, 0) >= i.quantity for h in holdings.values())]


def _preference(holdings: Holdings) -> list[str]:
    return sorted(holdings, key=lambda w: (w != HOME_WAREHOUSE, w))


def _exact(able: Mapping[str, list[str]], candidates: list[str]) -> list[str] | None:
    """The first (in preference order) smallest set of warehouses covering every line."""
    for size in range(1, len(candidates) + 1):
        for chosen in combinations(candidates, size):
            if all(any(w in ws for w in chosen) for ws in able.values()):
                return list(chosen)
    return None


def _greedy(able: Mapping[str, list[str]], candidates: list[str]) -> list[str]:
    """Each time the warehouse that covers the most lines left: near the fewest, quickly."""
    left, chosen = dict(able), []
    while left:
        best = max(candidates, key=lambda w: sum(w in ws for ws in left.values()))
        chosen.append(best)
        left = {sku: ws for sku, ws in left.items() if best not in ws}
    return [w for w in candidates if w in chosen]
