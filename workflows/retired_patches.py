"""A patch on its way out by Temporal's lifecycle: `patched` → `deprecate_patch` (now) →
removed.

The saga carries none: its build that hands events and mails over in local activities
changed its shape, so it ships as a new Worker Deployment version (PINNED) and never replays
a saga of an earlier build, whose patch calls it therefore dropped
(docs/changing-the-saga.md). A dispute moves to each new build (AUTO_UPGRADE) and looks its
subscribers up through the order-event stream, which still deprecates this one: disputes of
an earlier build may carry its marker.
"""

from __future__ import annotations

from temporalio import workflow

# The order-event stream looks its subscribers up and delivers order events.
ORDER_EVENTS = "order-events"


def passed(patch: str) -> None:
    """The workflow reached where `patch` was decided: one shape now, the marker deprecated."""
    workflow.deprecate_patch(patch)
