"""Prometheus metrics: the SDK's own and the saga's (started, finished by outcome, failed steps,
failed undos, customer mails not sent, the payment gateway's circuit), counters named `_total`
as Prometheus has it."""

from __future__ import annotations

from typing import Any

import pybreaker
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from activities.notification.contracts import MAIL_KINDS, MAIL_WORKFLOW
from activities.notification.events import DELIVERY_WORKFLOW
from workflows import saga_metrics
from workflows.order_state import STEPS, WORKFLOW_TYPE


def prometheus_runtime(port: int, host: str = "0.0.0.0") -> Runtime:
    """A runtime whose metrics, the SDK's and ours, are served on http://host:port/metrics."""
    return Runtime(
        telemetry=TelemetryConfig(
            # Prometheus's conventions: counters end in _total, durations are seconds and
            # say so in their name (temporal_activity_execution_latency_seconds).
            metrics=PrometheusConfig(
                bind_address=f"{host}:{port}",
                counters_total_suffix=True,
                unit_suffix=True,
                durations_as_seconds=True,
            )
        )
    )


def runtime_of(client: Client) -> Runtime:
    """The runtime whose meter a client's metrics go to (the default one unless it was given
    its own, as a worker with a metrics port is)."""
    return client.service_client.config.runtime or Runtime.default()


def zero_saga_counters(runtime: Runtime, namespace: str, orders_queue: str) -> None:
    """Every saga counter at 0 from the start, with the labels the workflow adds, so a rate
    or an alert has a series before the first saga ends (or first fails)."""
    meter = runtime.metric_meter.with_additional_attributes(
        {"namespace": namespace, "task_queue": orders_queue, "workflow_type": WORKFLOW_TYPE}
    )
    saga_metrics.counter(meter, saga_metrics.STARTED).add(0)
    finished = saga_metrics.counter(meter, saga_metrics.FINISHED)
    for outcome in saga_metrics.OUTCOMES:
        finished.add(0, {"outcome": outcome})
    failures = saga_metrics.counter(meter, saga_metrics.COMPENSATION_FAILURES)
    for undo in saga_metrics.UNDOS:
        failures.add(0, {"undo": undo})
    mails = runtime.metric_meter.with_additional_attributes(
        {"namespace": namespace, "task_queue": orders_queue, "workflow_type": MAIL_WORKFLOW}
    )
    mail_failures = saga_metrics.counter(mails, saga_metrics.NOTIFICATION_FAILURES)
    for kind in MAIL_KINDS:
        mail_failures.add(0, {"kind": kind})
    # Deliveries given up on count in the delivery workflow, lookups that failed in the saga.
    for workflow_type in (DELIVERY_WORKFLOW, WORKFLOW_TYPE):
        saga_metrics.counter(
            runtime.metric_meter.with_additional_attributes(
                {"namespace": namespace, "task_queue": orders_queue, "workflow_type": workflow_type}
            ),
            saga_metrics.WEBHOOK_FAILURES,
        ).add(0)
    step_failures = saga_metrics.counter(meter, saga_metrics.STEP_FAILURES)
    for step in STEPS:
        step_failures.add(0, {"step": step, "error_type": "other"})


class BreakerGauge(pybreaker.CircuitBreakerListener):
    """`order_saga_payment_circuit_open` is 1 while the gateway's circuit is open, else 0."""

    def __init__(self, client: Client) -> None:
        meter = runtime_of(client).metric_meter
        self._gauge = meter.create_gauge(
            "order_saga_payment_circuit_open",
            "1 while the payment gateway's circuit breaker is open (charges fail fast, to be "
            "retried), else 0.",
        )
        self._gauge.set(0)

    def state_change(self, cb: pybreaker.CircuitBreaker, old: Any, new: Any) -> None:
        """Follow the breaker into the gauge."""
        self._gauge.set(1 if new.name == pybreaker.STATE_OPEN else 0)
