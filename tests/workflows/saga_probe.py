"""A workflow that uses the saga helper and nothing else, for the helper's own tests."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.saga import Saga

ONCE = RetryPolicy(maximum_attempts=1)
TIMEOUT = timedelta(seconds=10)


class Probe(BaseModel):
    steps: list[str]
    learns: list[str] = []  # steps whose undo is replaced once the step has run


class ProbeResult(BaseModel):
    undone: list[str]
    failed: list[str]
    hooks: list[str]


@workflow.defn(name="SagaProbe")
class SagaProbe:
    def __init__(self) -> None:
        self.hooks: list[str] = []

    @workflow.run
    async def run(self, probe: Probe) -> ProbeResult:
        saga = Saga(
            on_undo=lambda c: self.hooks.append(f"undo {c.name}"),
            on_undone=lambda c, _: self.hooks.append(f"undone {c.name}"),
            on_failed=lambda c, e: self.hooks.append(f"failed {c.name}"),
        )
        try:
            for step in probe.steps:
                saga.register(step, f"undo-{step}", self._undo(f"{step}:registered"))
                await workflow.execute_activity(
                    "probe_do",
                    step,
                    start_to_close_timeout=timedelta(seconds=10),
                    retry_policy=ONCE,
                )
                if step in probe.learns:
                    saga.register(step, f"undo-{step}", self._undo(f"{step}:learned"))
        except ActivityError:
            failures = await saga.compensate()
            return ProbeResult(
                undone=[c.name for c in saga.compensations],
                failed=[c.name for c, _ in failures],
                hooks=self.hooks,
            )
        except asyncio.CancelledError:
            await saga.compensate()
            raise
        return ProbeResult(undone=[], failed=[], hooks=self.hooks)

    @staticmethod
    def _undo(what: str):  # type: ignore[no-untyped-def]
        return lambda: workflow.execute_activity(
            "probe_undo", what, start_to_close_timeout=TIMEOUT, retry_policy=ONCE
        )
