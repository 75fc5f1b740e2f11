"""The options every worker here runs with: pollers, the workflow runner, versioning, the
placement's patch, the thread pool's share; one place, so the saga's worker, the services'
and the benchmarks' no-op workers cannot drift apart."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import (
    PatchActivationInput,
    PollerBehaviorAutoscaling,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkerDeploymentConfig,
)

from workflows.placement import COLOCATED, Placement

MAX_CONCURRENT_ACTIVITIES = 64
# Colocated, the service queues only drain sagas begun per service: a few threads each.
DRAIN_SLOTS = 8
# Per service, the orders worker's one local activity, the subscriber lookup (a coroutine;
# its read runs in asyncio's default threads), at most this many at once.
LOOKUP_SLOTS = 16
# Mails sent at once: each waits on its SMTP server, on the event loop, taking no thread.
MAIL_SLOTS = 50
# The saga workflow tasks a worker takes at once; the rest wait in Temporal's queue, where no
# timeout runs. Colocated, a task runs its saga's steps one after another (local
# activities), so admitting more only makes every task longer on a shared CPU (measured:
# `python -m benchmarks.colocated_tasks`). Per service, tasks are short, but the SDK's 100 at
# once held each activation's memory side by side: 221-228 MB at 200 in flight, 186-195 MB
# at 16, the same orders/s (`python -m benchmarks.throughput`, docs/throughput.md).
ADMITTED_TASKS = 16
# How long a saga's next task waits on its worker's own (sticky) queue before any worker may
# take it: the SDK's 10 s is what every saga of a killed worker waited, each time.
STICKY_WAIT = timedelta(seconds=3)
DEPLOYMENT_NAME = "order-saga"  # the Worker Deployment every versioned worker belongs to

# Measured here: autoscaling pollers cut p99 at 50 concurrent sagas from 3.4 s to 1.2 s.
# The resource-based tuner is left out: it halved throughput on 2 cores.
POLLERS: dict[str, Any] = {
    "workflow_task_poller_behavior": PollerBehaviorAutoscaling(),
    "activity_task_poller_behavior": PollerBehaviorAutoscaling(),
}

# Workflows run without the SDK's sandbox. It re-runs a workflow's module for each run and
# checks only code loaded inside it, yet every workflow module here passes its imports through
# (CONVENTIONS.md), so it guarded a few lines per workflow for a third of the colocated
# worker's CPU per order (docs/throughput.md, "Without the sandbox"). Determinism is guarded
# where it always was for the code that matters: ruff's banned APIs over workflows/ (a clock,
# randomness, I/O, threads, the environment), the import contracts, and the replay of every
# recorded history (test_replay.py). Module state is shared between runs, as it already was
# for the passed-through modules: workflow modules keep none.
WORKFLOW_RUNNER = UnsandboxedWorkflowRunner()


def deployment(build_id: str | None) -> dict[str, Any]:
    """Worker options for a version of the `order-saga` Worker Deployment, sagas PINNED to
    the build they start on; unversioned without a build id."""
    if build_id is None:
        return {}
    version = WorkerDeploymentVersion(deployment_name=DEPLOYMENT_NAME, build_id=build_id)
    config = WorkerDeploymentConfig(
        version=version,
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.PINNED,
    )
    return {"deployment_config": config}


def activates(placement: Placement) -> Callable[[PatchActivationInput], bool]:
    """A workflow worker's say on new patches: each is new code and activates, except the
    colocated placement on a per-service worker."""

    def activate(patch: PatchActivationInput) -> bool:
        return patch.patch_id != COLOCATED or placement == "colocated"

    return activate


def workflow_worker(
    client: Client,
    task_queue: str,
    workflows: list[type],
    *,
    max_cached_workflows: int = 1000,
    build_id: str | None = None,
    placement: Placement = "per-service",
    local_activities: list[Callable[..., Any]] | None = None,
    executor: ThreadPoolExecutor | None = None,
    local_slots: int = MAX_CONCURRENT_ACTIVITIES,
    shutdown_grace: timedelta = timedelta(0),
) -> Worker:
    """A worker for workflows, with the options every workflow worker here runs with.
    Colocated, it runs `local_activities` itself (on `executor`) and polls no activity
    tasks."""
    local: dict[str, Any] = (
        {
            "activities": local_activities,
            "activity_executor": executor,
            "max_concurrent_local_activities": local_slots,
            "no_remote_activities": True,
            "graceful_shutdown_timeout": shutdown_grace,
        }
        if local_activities
        else {}
    )
    return Worker(
        client,
        task_queue=task_queue,
        workflows=workflows,
        max_concurrent_workflow_tasks=ADMITTED_TASKS,
        workflow_runner=WORKFLOW_RUNNER,
        max_cached_workflows=max_cached_workflows,
        sticky_queue_schedule_to_start_timeout=STICKY_WAIT,
        patch_activation_callback=activates(placement),
        **local,
        **POLLERS,
        **deployment(build_id),
    )


def activity_worker(
    client: Client,
    task_queue: str,
    activities: list[Callable[..., Any]],
    executor: ThreadPoolExecutor | None,
    *,
    build_id: str | None = None,
    shutdown_grace: timedelta = timedelta(0),
    slots: int = MAX_CONCURRENT_ACTIVITIES,
) -> Worker:
    """A worker for activities, with the options every activity worker runs with. On
    shutdown, activities in flight get `shutdown_grace` to finish before they are cancelled.
    `slots`: how many it takes at once; never more than `executor` has threads for it (no
    executor: coroutines, which take none)."""
    return Worker(
        client,
        task_queue=task_queue,
        activities=activities,
        activity_executor=executor,
        max_concurrent_activities=slots,
        graceful_shutdown_timeout=shutdown_grace,
        **POLLERS,
        **deployment(build_id),
    )


def slots_each(activity_workers: int) -> int:
    """The activities each of a process's activity workers may take at once, when they share
    one pool of MAX_CONCURRENT_ACTIVITIES threads: between them, no more than it has."""
    return max(1, MAX_CONCURRENT_ACTIVITIES // max(1, activity_workers))
