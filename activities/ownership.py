"""Every row records the saga (workflow id) that created it; a saga acts only on its own.

A saga started under another workflow id for an order that already has one must not refund,
release or cancel what the first saga did. Rows written before owners were recorded have no
owner and belong to whichever saga of their order asks.
"""

from __future__ import annotations

from temporalio import activity

from activities.failures import BusinessError


class OwnedByAnotherSaga(BusinessError):
    """The order's rows belong to another saga: this one must not touch them."""

    type = "OwnedByAnotherSaga"
    expected = False  # another client started the same order: worth its traceback


def current_saga() -> str:
    """The workflow id of the saga running this activity ("" for one run outside a workflow)."""
    return activity.info().workflow_id or ""


def is_foreign(owner: str | None, saga: str) -> bool:
    """Whether a row with this owner belongs to another saga than `saga`."""
    return owner is not None and owner != saga


def refuse_foreign(owner: str | None, saga: str, what: str) -> None:
    """A forward step never adopts another saga's rows."""
    if is_foreign(owner, saga):
        raise OwnedByAnotherSaga(f"{what} belongs to saga {owner!r}, not {saga!r}")


def skip_foreign(owner: str | None, saga: str, what: str) -> bool:
    """An undo leaves another saga's rows alone, with a warning; True when it must skip."""
    if is_foreign(owner, saga):
        activity.logger.warning("%s belongs to saga %r; %r leaves it alone", what, owner, saga)
        return True
    return False
