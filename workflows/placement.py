"""Where a saga's steps run: on each service's own task queue (`per-service`), or inside the
orders worker that runs the saga, as local activities (`colocated`).

The worker decides, at a saga's first workflow task, and the history keeps the decision: the
placement is a patch that only a colocated worker activates (the worker's patch activation
callback). Whichever worker replays the saga later runs it as it began: a
per-service saga on a colocated worker calls the service queues (a colocated process also
polls them); a colocated saga on a per-service worker fails that workflow task, naming the
steps it cannot run here, until a colocated worker takes it.
"""

from __future__ import annotations

from typing import Literal

from temporalio import workflow

Placement = Literal["per-service", "colocated"]
PLACEMENTS: tuple[Placement, ...] = ("per-service", "colocated")

# The marker a colocated saga's history starts with; sagas without it run per service.
COLOCATED = "placement-colocated"


def runs_colocated() -> bool:
    """Whether this run's steps are local activities (decided once, at its first task)."""
    return workflow.patched(COLOCATED)
