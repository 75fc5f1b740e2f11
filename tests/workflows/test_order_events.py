"""Other services hear about the order: subscribers over real HTTP receive each order's events
once in effect, in order, signed as documented; one that is down delays only itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.notification import subscribers
from activities.notification.events import EVENT_TYPES
from activities.notification.signing import new_secret
from order_saga.client import order_result
from order_saga.worker_group import WorkerGroup, build_worker
from testkit.subscriber import Subscriber, serve_subscriber
from tests.helpers import order, orders_queue, until, worker_settings
from tests.waits import until_closed
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement

Subscribe = Callable[..., Any]


@pytest.fixture
async def subscribe(engine: Engine) -> AsyncIterator[Subscribe]:
    """Register subscribers (served on real ports) for the test; removed after it, so no
    other test's sagas send them anything."""
    ids: list[int] = []
    served: list[Any] = []

    async def register(
        events: tuple[str, ...] = EVENT_TYPES, subscriber: Subscriber | None = None
    ) -> Subscriber:
        subscriber = subscriber or Subscriber()
        subscriber.secret = new_secret()
        serving = serve_subscriber(subscriber)
        url = await serving.__aenter__()
        served.append(serving)
        with transaction(engine) as session:
            row = subscribers.add(
                session=session, url=url, events=list(events), secret=subscriber.secret
            )
            assert row.id is not None
            ids.append(row.id)
        return subscriber

    yield register
    with transaction(engine) as session:
        for subscriber_id in ids:
            subscribers.remove(session=session, subscriber_id=subscriber_id)
    for serving in served:
        await serving.__aexit__(None, None, None)


def workers(
    env: WorkflowEnvironment, engine: Engine, stripe_server: Any, prefix: str, placement: Placement
) -> WorkerGroup:
    settings = worker_settings(stripe_server[1], prefix).model_copy(update={"placement": placement})
    # Cached, as deployments run: the saga hands its events over in local activities, which
    # an uncached worker cancels with each eviction. Non-determinism is test_replay's to catch.
    return build_worker(env.client, settings=settings, engine=engine)


async def run_order(client: Client, request: OrderRequest, prefix: str) -> WorkflowHandle[Any, Any]:
    handle = await client.start_workflow(
        OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(prefix)
    )
    await order_result(handle)
    return handle


async def delivered(client: Client, request: OrderRequest) -> None:
    """Once the order's event delivery has ended."""
    await until_closed(client.get_workflow_handle(f"{request.workflow_id}-events"))


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["type"] for event in events]


async def test_a_completed_order_sends_its_events_in_order_signed_as_documented(
    env, engine, stripe_server, queue_prefix, make_product, placement, subscribe
) -> None:
    shop = await subscribe()
    request = order((make_product(price="19.99"), 2, "19.99")).model_copy(
        update={"handover_delay_seconds": 0}
    )
    async with workers(env, engine, stripe_server, queue_prefix, placement):
        await run_order(env.client, request, queue_prefix)
        await delivered(env.client, request)

    events = shop.events_of(request.order_id)
    assert types_of(events) == ["order.started", "payment.authorized", "order.completed"]
    assert [event["sequence"] for event in events] == [1, 2, 3]
    assert len({event["id"] for event in events}) == 3
    assert events[0]["data"]["total"] == "39.98" and events[0]["data"]["currency"] == "usd"
    assert events[2]["data"]["status"] == "COMPLETED" and events[2]["data"]["tracking_number"]
    assert shop.forged == 0  # every signature held, checked the way the docs say
    assert "customer_email" not in str(events)


async def test_a_declined_order_reports_the_failed_payment_and_the_undo(
    env, engine, stripe_server, queue_prefix, make_product, subscribe
) -> None:
    shop = await subscribe()
    analytics = await subscribe(events=("order.compensated",))
    request = order((make_product(), 1, "19.99"), payment_method="pm_card_chargeDeclined")
    async with workers(env, engine, stripe_server, queue_prefix, "per-service"):
        await run_order(env.client, request, queue_prefix)
        await delivered(env.client, request)

    events = shop.events_of(request.order_id)
    assert types_of(events) == ["order.started", "payment.failed", "order.compensated"]
    assert events[1]["data"]["error_type"] == "CardDeclined"
    assert events[2]["data"]["status"] == SagaState.COMPENSATED
    # A subscriber takes only the types it asked for.
    assert types_of(analytics.events_of(request.order_id)) == ["order.compensated"]


async def test_a_subscriber_that_is_down_delays_only_its_own_deliveries(
    env, engine, stripe_server, queue_prefix, make_product, subscribe
) -> None:
    down = await subscribe(subscriber=Subscriber(down=True))
    up = await subscribe()
    request = order((make_product(), 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})
    async with workers(env, engine, stripe_server, queue_prefix, "colocated"):
        result = await order_result(await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        ))  # fmt: skip
        assert result.status == SagaState.COMPLETED  # the order never waited for either

        async def the_other_has_all() -> bool:
            return len(up.events_of(request.order_id)) == 3

        await until(the_other_has_all)
        assert down.received == [] and down.refused >= 1  # still down, still refusing
        down.down = False  # back up: its retries go through
        await delivered(env.client, request)

    assert types_of(down.events_of(request.order_id)) == types_of(up.events_of(request.order_id))
    assert [e["sequence"] for e in down.received] == [1, 2, 3]  # in order, once each
