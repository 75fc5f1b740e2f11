"""One order, one saga: every row records the run chain that wrote it, and only that chain
acts on it.

A workflow id is not enough: once a saga closes, a client may start a new run under the
same id (Temporal's default reuse policy, `ALLOW_DUPLICATE`, `TERMINATE_EXISTING`), and
that run must not refund, release or cancel what the first one did. The owner is the
workflow id with the chain's first run id, which survives activity retries, workflow
retries, continue-as-new and a reset (a reset run keeps its chain's first run id), and is
different for every new start. Rows written before runs were recorded carry no run and
belong to whichever run of their saga asks, except at the claim (`claim_order`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from temporalio import activity

from activities.failures import BusinessError
from activities.messages import Strict


class OrderScoped(Strict):
    """Base of every step's and undo's input: the order, and the run chain that sends it."""

    order_id: str
    # The saga's workflow id, and the first run id of its run chain; None from a saga whose
    # call was scheduled before runs owned rows (the activity's own workflow id serves then).
    # Named here, not taken from the activity's context, so a workflow that acts for the saga
    # (the detached void of an unconfirmed intent) acts as its owner.
    saga_id: str | None = None
    saga_run: str | None = None


class OrderTakenByAnotherRun(BusinessError):
    """The order's rows belong to another run: this one must change nothing."""

    type = "OrderTakenByAnotherRun"
    expected = False  # another client started the same order: worth its traceback

    def __init__(self, message: str, owner: Owner) -> None:
        super().__init__(message)
        self.details = (owner.workflow_id, owner.saga_run)


@dataclass(frozen=True)
class Owner:
    """A run chain: the saga's workflow id and its first run id (None on older rows)."""

    workflow_id: str | None
    saga_run: str | None

    def __str__(self) -> str:
        return f"run {self.saga_run or '(unrecorded)'} of {self.workflow_id}"


class OwnedRow(Protocol):
    """A row that records its owner."""

    @property
    def workflow_id(self) -> str | None: ...  # noqa: D102

    @property
    def saga_run(self) -> str | None: ...  # noqa: D102


def current_saga(request: OrderScoped) -> Owner:
    """The run chain this activity acts for ("" as workflow id outside a workflow)."""
    return Owner(request.saga_id or activity.info().workflow_id or "", request.saga_run)


def owner_of(row: OwnedRow) -> Owner:
    """Who wrote this row."""
    return Owner(row.workflow_id, row.saga_run)


def is_foreign(row: OwnedRow, saga: Owner) -> bool:
    """Whether the row belongs to another saga, or to another run of this one."""
    if row.workflow_id is not None and row.workflow_id != saga.workflow_id:
        return True
    return row.saga_run is not None and saga.saga_run is not None and row.saga_run != saga.saga_run


def claim_order(rows: Iterable[OwnedRow], saga: Owner, order_id: str) -> None:
    """The first step's check, before anything changes: rows of the order that another run
    wrote (or that predate recorded runs, when this run records its own) mean the order is
    taken, and this run must not touch it."""
    for row in rows:
        legacy = row.saga_run is None and saga.saga_run is not None
        if is_foreign(row, saga) or legacy:
            owner = owner_of(row)
            raise OrderTakenByAnotherRun(
                f"order {order_id} belongs to {owner}; {saga} is refused and changes nothing",
                owner,
            )


def refuse_foreign(row: OwnedRow | None, saga: Owner, what: str) -> None:
    """A forward step never adopts another run's rows."""
    if row is not None and is_foreign(row, saga):
        owner = owner_of(row)
        raise OrderTakenByAnotherRun(f"{what} belongs to {owner}, not {saga}", owner)


def skip_foreign(row: OwnedRow | None, saga: Owner, what: str) -> bool:
    """An undo leaves another run's rows alone, with a warning; True when it must skip."""
    if row is not None and is_foreign(row, saga):
        activity.logger.warning("%s belongs to %s; %s leaves it alone", what, owner_of(row), saga)
        return True
    return False
