"""OpenTelemetry spans for the saga and its activities, through the SDK's interceptor."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from temporalio.client import Client

from order_saga.client import order_result
from order_saga.settings import Settings
from order_saga.tracing import tracing_interceptor
from order_saga.worker_group import build_worker
from tests.helpers import order, orders_queue
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga


async def test_a_saga_leaves_spans_for_the_start_the_run_and_each_activity(
    env, engine, stripe_server, queue_prefix, make_product
) -> None:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    config = env.client.config()
    config["interceptors"] = [tracing_interceptor(provider.get_tracer("test"))]
    client = Client(**config)
    request = order((make_product(stock=2), 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 0}
    )
    settings = Settings(stripe_api_base=stripe_server[1], queue_prefix=queue_prefix)

    async with build_worker(client, settings=settings, engine=engine):
        result = await order_result(
            await client.start_workflow(
                OrderSaga.run,
                request,
                id=request.workflow_id,
                task_queue=orders_queue(queue_prefix),
            )
        )

    assert result.status == SagaState.COMPLETED
    names = {span.name for span in spans.get_finished_spans()}
    assert "StartWorkflow:OrderSaga" in names
    assert "RunWorkflow:OrderSaga" in names
    for activity in (
        "reserve_inventory",
        "create_payment_intent",
        "charge_payment",
        "create_shipment",
    ):
        assert f"RunActivity:{activity}" in names
