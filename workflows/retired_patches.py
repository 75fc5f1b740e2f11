"""Patches whose old branch no saga can take, on their way out by Temporal's lifecycle:
`patched` → `deprecate_patch` (now) → removed (in the first release after the last build that
called `patched` has no saga left, open or within retention, that anyone may query).

No deployment of this project ever ran a saga that started before these changes, so the old
branches are gone. A saga started on the build before this one still carries the markers
(`patched` records one even when the new branch is the only one); `deprecate_patch` at the
same place lets this build replay it, and keeps recording a marker (deprecated) so a worker
of that build, in a rolling unversioned deploy, replays a saga this build started. Removing
a call too early fails such a replay: "Non-deprecated patch marker encountered".
"""

from __future__ import annotations

from temporalio import workflow

# A compensated order fails the workflow (red in the Web UI's list) instead of completing.
FAILED_WHEN_COMPENSATED = "compensated-fails-workflow"
# An undo that fails for good leaves the saga open, waiting for a person, instead of ending.
WAIT_FOR_PERSON = "wait-for-a-person"
# An order a person settled did not ship either: it fails the workflow too.
FAILED_WHEN_RESOLVED = "resolved-fails-workflow"
# While it waits for a person over money it could not give back, the customer is told so.
MAIL_WHILE_WAITING = "mail-while-waiting"
# The saga writes only the search attributes its start lacked, and no AWAITING_HANDOVER
# when there is no pickup wait.
FEWER_UPSERTS = "fewer-search-attribute-upserts"
# The void of an intent never confirmed runs as its own workflow, not in the saga's line.
DETACHED_VOID = "void-unconfirmed-intent-detached"
# The saga looks its event subscribers up and delivers order events.
ORDER_EVENTS = "order-events"

RETIRED = (
    FAILED_WHEN_COMPENSATED,
    WAIT_FOR_PERSON,
    FAILED_WHEN_RESOLVED,
    MAIL_WHILE_WAITING,
    FEWER_UPSERTS,
    DETACHED_VOID,
    ORDER_EVENTS,
)


def passed(patch: str) -> None:
    """The saga reached where `patch` was decided: one shape now, the marker deprecated."""
    workflow.deprecate_patch(patch)
