"""One saga run to its end with the real activities, and what a user reads after it: the
payment row, the intents charged."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.payment.tables import Payment
from order_saga.client import order_result
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import orders_queue
from tests.history import scheduled_activities
from workflows.order_request import OrderRequest
from workflows.order_state import OrderResult
from workflows.order_workflow import OrderSaga
from workflows.placement import Placement


async def run_saga(
    env: WorkflowEnvironment,
    engine: Engine,
    stripe_server: tuple[LocalStripe, str],
    queue_prefix: str,
    request: OrderRequest,
    placement: Placement,
    **more: object,
) -> tuple[OrderResult, list[str]]:
    settings = Settings(
        stripe_api_base=stripe_server[1], queue_prefix=queue_prefix, placement=placement, **more
    )
    async with build_worker(env.client, settings=settings, engine=engine, max_cached_workflows=0):
        handle = await env.client.start_workflow(
            OrderSaga.run, request, id=request.workflow_id, task_queue=orders_queue(queue_prefix)
        )
        result = await order_result(handle)
        return result, await scheduled_activities(handle)


def payment_row(engine: Engine, order_id: str) -> Payment | None:
    with transaction(engine) as session:
        return session.exec(select(Payment).where(Payment.order_id == order_id)).first()


def charged_intents(stripe: LocalStripe, order_id: str) -> list[dict[str, object]]:
    return stripe.ledger.intents_of_order(order_id, "succeeded")
