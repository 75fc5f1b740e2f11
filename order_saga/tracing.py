"""OpenTelemetry tracing through the SDK's interceptor, when TRACING is on.

Spans cover starting the saga, running it and every activity; they go to the OTLP endpoint
the standard OTEL_EXPORTER_OTLP_* variables name (default http://localhost:4318).
Needs the `tracing` extra: pip install 'order-saga[tracing]'.
"""

from __future__ import annotations

from typing import Any


def tracing_interceptor(tracer: Any = None) -> Any:
    """The SDK's TracingInterceptor; without a tracer, one exporting over OTLP/HTTP."""
    from temporalio.contrib.opentelemetry import TracingInterceptor

    if tracer is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider = TracerProvider(resource=Resource.create({"service.name": "order-saga"}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        tracer = provider.get_tracer("order-saga")
    return TracingInterceptor(tracer)
