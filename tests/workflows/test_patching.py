"""A change to what the saga records, through Temporal's patch lifecycle: `patched` lets the
sagas in flight replay, `deprecate_patch` replays the sagas the patched build started, and
the call goes once none is left. Shown on a variant of today's saga (a timer before its
first step), so the mechanism stays proven without old branches living in the product."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from order_saga.worker_options import WORKFLOW_RUNNER
from tests.helpers import order, orders_queue
from tests.workflows.paused_saga import PATCH, Deprecated, Patched, Unguarded
from tests.workflows.stub_activities import Stubs
from tests.workflows.stub_worker import stub_worker
from tests.workflows.test_replay import workflow_id_of
from workflows.order_workflow import OrderSaga
from workflows.placement import COLOCATED

HISTORIES = Path(__file__).parent / "histories"


async def replay(saga: type, history: WorkflowHistory) -> None:
    replayer = Replayer(
        workflows=[saga], data_converter=pydantic_data_converter, workflow_runner=WORKFLOW_RUNNER
    )
    await replayer.replay_workflow(history)


def recorded(name: str) -> WorkflowHistory:
    text = (HISTORIES / name).read_text()
    return WorkflowHistory.from_json(workflow_id_of(text), text)


async def run_on(env: WorkflowEnvironment, saga: type, prefix: str) -> WorkflowHistory:
    """Run one order to its end on `saga` (stub steps) and fetch its history."""
    request = order(("prod-456", 1, "19.99"))
    async with stub_worker(env, prefix, Stubs(), saga=saga):
        handle = await env.client.start_workflow(
            saga.run, request, id=request.workflow_id, task_queue=orders_queue(prefix)
        )
        await handle.result()
        return await handle.fetch_history()


def patches(history: WorkflowHistory | Path) -> set[tuple[str, bool]]:
    """The patches a history (or a recorded one) carries: (id, deprecated)."""
    if isinstance(history, Path):
        history = WorkflowHistory.from_json("any", history.read_text())
    found = set()
    for event in history.events:
        data = event.marker_recorded_event_attributes.details.get("patch-data")
        if data is not None:
            patch = json.loads(data.payloads[0].data)
            found.add((patch["id"], patch.get("deprecated", False)))
    return found


def test_this_builds_sagas_carry_no_patch_but_the_placement() -> None:
    """The retired patches' calls went with the shape change (a new PINNED version): this
    build's sagas record only the placement, the one live decision."""
    for path in HISTORIES.glob("*.json"):
        expected = {(COLOCATED, False)} if "colocated" in path.name else set()
        assert patches(path) == expected, path.name


@pytest.mark.parametrize("name", ["completed.per-service.json", "declined.colocated.json"])
async def test_a_change_unguarded_fails_the_sagas_in_flight_and_patched_replays_them(
    name: str,
) -> None:
    with pytest.raises(NondeterminismError):
        await replay(Unguarded, recorded(name))
    await replay(Patched, recorded(name))  # patched() is False where no marker was recorded


async def test_a_patch_is_deprecated_then_removed_as_its_sagas_close(
    env: WorkflowEnvironment,
) -> None:
    patched = await run_on(env, Patched, "patch-a")
    assert (PATCH, False) in patches(patched)  # a new saga records the marker, takes the timer
    await replay(Deprecated, patched)  # the next build replays what the patched build ran
    with pytest.raises(NondeterminismError, match="Non-deprecated patch marker"):
        await replay(Unguarded, patched)  # removed while a patched build's saga remains
    deprecated = await run_on(env, Deprecated, "patch-b")
    assert (PATCH, True) in patches(deprecated)  # still recorded, flagged deprecated
    await replay(Unguarded, deprecated)  # removed once only deprecated markers remain
    await replay(Patched, deprecated)  # and a worker of the patched build replays it too


@pytest.mark.parametrize(
    "path", sorted((HISTORIES / "previous-build").glob("*.json")), ids=lambda p: p.stem
)
async def test_the_previous_builds_sagas_do_not_replay_on_this_one(path: Path) -> None:
    """This build leaves the business deadline's timer to lapse once the shipment is booked
    (the saga ends first), where the previous one cancelled it: its shape changed, so it
    ships as a new Worker Deployment version (PINNED) and the previous build finishes its own
    sagas. (A colocated saga that booked its shipment in its first task never recorded the
    timer either way, so the previous build's completed ones replay here.)"""
    text = path.read_text()
    history = WorkflowHistory.from_json(workflow_id_of(text), text)
    with pytest.raises(NondeterminismError):
        await replay(OrderSaga, history)
