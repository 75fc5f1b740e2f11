"""Prometheus metrics: the SDK's own and the saga's (started, completed, compensated,
cancelled, compensation failures, the payment gateway's circuit)."""

from __future__ import annotations

from typing import Any

import pybreaker
from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig


def prometheus_runtime(port: int, host: str = "0.0.0.0") -> Runtime:
    """A runtime whose metrics, the SDK's and ours, are served on http://host:port/metrics."""
    return Runtime(
        telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=f"{host}:{port}"))
    )


class BreakerGauge(pybreaker.CircuitBreakerListener):
    """`order_saga_payment_circuit_open` is 1 while the gateway's circuit is open, else 0."""

    def __init__(self, client: Client) -> None:
        meter = (client.service_client.config.runtime or Runtime.default()).metric_meter
        self._gauge = meter.create_gauge(
            "order_saga_payment_circuit_open", "1 while the payment gateway circuit is open"
        )
        self._gauge.set(0)

    def state_change(self, cb: pybreaker.CircuitBreaker, old: Any, new: Any) -> None:
        """Follow the breaker into the gauge."""
        self._gauge.set(1 if new.name == pybreaker.STATE_OPEN else 0)
