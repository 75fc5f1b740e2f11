"""Objects in creation order, whole and grouped by one field, so a list page or a lookup by
that field costs the page, never a scan of every object the server holds."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from order_saga.embedded.local_stripe.answers import Json


class CreationIndex:
    """Ids in creation order (all, and per value of `group_by`), and each id's position."""

    def __init__(self, group_by: str) -> None:
        self._group_by = group_by
        self.ids: list[str] = []
        self._position: dict[str, int] = {}
        self._groups: dict[str, list[str]] = {}

    def add(self, obj: Json) -> None:
        """Index a new object; one already indexed is left where it is."""
        ident = str(obj["id"])
        if ident in self._position:
            return
        self._position[ident] = len(self.ids)
        self.ids.append(ident)
        group = obj.get(self._group_by)
        if group is not None:
            self._groups.setdefault(str(group), []).append(ident)

    def group(self, value: str | None) -> Sequence[str]:
        """The ids whose `group_by` field is `value`, oldest first; every id for None."""
        return self.ids if value is None else self._groups.get(value, [])

    def find(self, ids: Sequence[str], ident: str) -> int | None:
        """Where `ident` is in `ids` (a creation-ordered subsequence), by bisection."""
        position = self._position.get(ident)
        if position is None:
            return None
        at = bisect_left(ids, position, key=self._position.__getitem__)
        return at if at < len(ids) and ids[at] == ident else None
