"""An activity method bound to how the saga calls it: its service's queue, timeouts, retries.

Each service declares one `ActivityCall` beside every activity, so the options are written
once and the workflow's call is typed end to end: mypy checks the argument against the
method's parameter and the awaited value against its return type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from temporalio import activity, workflow
from temporalio.common import RetryPolicy
from temporalio.workflow import ActivityCancellationType

from activities.queues import Service, prefix_of, queue
from activities.retries import COMPENSATION_RETRY, COMPENSATION_TIMEOUT

# A local activity's retry waits in the worker up to this backoff, on a workflow timer beyond:
# below every step's first backoff (2 s), so each retry is durable and in the history, and a
# worker that dies mid-outage loses no retry state.
LOCAL_RETRY_THRESHOLD = timedelta(seconds=1)

ArgT = TypeVar("ArgT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True)
class ActivityCall(Generic[ArgT, ResultT]):
    """`method` is the unbound activity method, e.g. `PaymentActivities.refund_payment`."""

    method: Callable[[Any, ArgT], ResultT]
    service: Service
    start_to_close_timeout: timedelta
    retry_policy: RetryPolicy
    schedule_to_close_timeout: timedelta | None = None

    @property
    def name(self) -> str:
        """The activity's registered name: its wire contract, never renamed."""
        return str(activity._Definition.must_from_callable(self.method).name)

    def options(
        self,
        *,
        summary: str,
        deadline: timedelta | None = None,
        cancellation_type: ActivityCancellationType = ActivityCancellationType.TRY_CANCEL,
    ) -> dict[str, Any]:
        """The call's declared options, whether it runs remote or local (and for whatever
        stands in for it, as the benchmarks' no-op); `deadline` replaces the declared
        schedule-to-close timeout."""
        return {
            "start_to_close_timeout": self.start_to_close_timeout,
            "schedule_to_close_timeout": deadline or self.schedule_to_close_timeout,
            "retry_policy": self.retry_policy,
            "summary": summary,
            "cancellation_type": cancellation_type,
        }

    def execute(
        self,
        arg: ArgT,
        *,
        summary: str,
        cancellation_type: ActivityCancellationType = ActivityCancellationType.TRY_CANCEL,
        deadline: timedelta | None = None,
        local: bool = False,
    ) -> Awaitable[ResultT]:
        """Run it from workflow code, on the queue of this saga's family of services, or,
        `local`, in the worker running the workflow."""
        options = self.options(
            summary=summary, deadline=deadline, cancellation_type=cancellation_type
        )
        if local:
            # Retries wait on workflow timers: a long outage costs timers in the history,
            # not a busy workflow task.
            return workflow.execute_local_activity_method(
                self.method, arg, local_retry_threshold=LOCAL_RETRY_THRESHOLD, **options
            )
        prefix = prefix_of(workflow.info().task_queue)
        return workflow.execute_activity_method(
            self.method, arg, task_queue=queue(prefix, self.service), **options
        )


def compensation_call(
    method: Callable[[Any, ArgT], ResultT], service: Service
) -> ActivityCall[ArgT, ResultT]:
    """An undo's call: every undo shares one timeout and retries until it succeeds."""
    return ActivityCall(
        method,
        service=service,
        start_to_close_timeout=COMPENSATION_TIMEOUT,
        retry_policy=COMPENSATION_RETRY,
    )
