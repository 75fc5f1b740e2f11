"""The saga helper on the time-skipping server: undo order, replacement, failures, cancels."""

from __future__ import annotations

import asyncio
import uuid

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from order_saga.worker_options import WORKFLOW_RUNNER
from tests.helpers import until
from tests.history import cancel_requested
from tests.workflows.saga_probe import Probe, ProbeResult, SagaProbe


class Stubs:
    """The probe's activities: `fail` steps and undos fail for good; `hold` blocks an undo."""

    def __init__(self, fail: set[str], hold: str | None = None) -> None:
        self.done: list[str] = []
        self.undone: list[str] = []
        self.fail = fail
        self.hold = hold
        self.held = asyncio.Event()
        self.release = asyncio.Event()

        @activity.defn(name="probe_do")
        async def probe_do(step: str) -> None:
            if step in self.fail:
                raise ApplicationError(f"{step} failed", non_retryable=True)
            self.done.append(step)

        @activity.defn(name="probe_undo")
        async def probe_undo(what: str) -> None:
            if what == self.hold:
                self.held.set()
                await self.release.wait()
            if what in self.fail:
                raise ApplicationError(f"undo {what} failed", non_retryable=True)
            self.undone.append(what)

        self.activities = [probe_do, probe_undo]


def probe_worker(env, queue_prefix: str, stubs: Stubs) -> Worker:  # type: ignore[no-untyped-def]
    return Worker(
        env.client,
        task_queue=queue_prefix,
        workflows=[SagaProbe],
        activities=stubs.activities,
        workflow_runner=WORKFLOW_RUNNER,
        max_cached_workflows=0,  # every task replays: non-determinism shows
    )


async def run_probe(env, queue_prefix: str, stubs: Stubs, probe: Probe) -> ProbeResult:  # type: ignore[no-untyped-def]
    async with probe_worker(env, queue_prefix, stubs):
        result: ProbeResult = await env.client.execute_workflow(
            SagaProbe.run, probe, id=f"probe-{uuid.uuid4()}", task_queue=queue_prefix
        )
        return result


async def test_undos_run_newest_first_each_once(env, queue_prefix: str) -> None:
    stubs = Stubs(fail={"d"})
    result = await run_probe(env, queue_prefix, stubs, Probe(steps=["a", "b", "c", "d"]))
    # d failed after its undo was registered: it is undone too (it may have taken effect).
    assert stubs.undone == ["d:registered", "c:registered", "b:registered", "a:registered"]
    assert result.failed == []
    assert result.hooks[:2] == ["undo undo-d", "undone undo-d"]


async def test_an_undo_registered_again_replaces_the_first_in_place(env, queue_prefix: str) -> None:
    stubs = Stubs(fail={"c"})
    result = await run_probe(env, queue_prefix, stubs, Probe(steps=["a", "b", "c"], learns=["a"]))
    assert stubs.undone == ["c:registered", "b:registered", "a:learned"]
    assert result.undone == ["undo-a", "undo-b", "undo-c"]  # still in step order


async def test_a_failed_undo_is_reported_and_older_undos_still_run(env, queue_prefix: str) -> None:
    stubs = Stubs(fail={"c", "b:registered"})
    result = await run_probe(env, queue_prefix, stubs, Probe(steps=["a", "b", "c"]))
    assert stubs.undone == ["c:registered", "a:registered"]
    assert result.failed == ["undo-b"]
    assert "failed undo-b" in result.hooks and result.hooks[-1] == "undone undo-a"


async def test_a_cancel_during_the_undo_changes_nothing(env, queue_prefix: str) -> None:
    stubs = Stubs(fail={"c"}, hold="b:registered")
    async with probe_worker(env, queue_prefix, stubs):
        handle = await env.client.start_workflow(
            SagaProbe.run,
            Probe(steps=["a", "b", "c"]),
            id=f"probe-{uuid.uuid4()}",
            task_queue=queue_prefix,
        )
        await asyncio.wait_for(stubs.held.wait(), timeout=30)
        await handle.cancel()
        await until(lambda: cancel_requested(handle))
        stubs.release.set()
        result = await handle.result()  # the cancel arrived during the undo: it completes
    # The undo in flight finished and the older one still ran; nothing was cut short.
    assert stubs.undone == ["c:registered", "b:registered", "a:registered"]
    assert result.failed == []
