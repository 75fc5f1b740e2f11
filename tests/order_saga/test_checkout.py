"""A checkout through the client API on a real dev server and worker: one call starts the
saga and answers with the payment's outcome (Update-with-Start), while the saga goes on;
the same request again is the same saga and answer, another request for the order is
refused, and a wait that runs out leaves the saga running, its answer kept for a retry."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from order_saga.client import IdempotencyKeyReused, OrderAlreadyStarted, order_outcome
from order_saga.client.checkout import checkout
from order_saga.temporal import connect
from order_saga.worker_group import build_worker
from tests.helpers import order, stock, worker_settings
from workflows.order_state import SagaState, SagaStatus, StepState


def step(status: object, name: str) -> StepState:
    assert isinstance(status, SagaStatus), status
    return next(s.state for s in status.steps if s.name == name)


async def test_the_payments_answer_in_the_starting_call(
    dev_server: str, engine: Engine, stripe_server, queue_prefix: str, make_product
) -> None:
    client = await connect(dev_server)
    ok, card_declined = make_product(stock=5), make_product(stock=5)
    held = order((ok, 1, "19.99")).model_copy(update={"handover_delay_seconds": 0})
    declined = order((card_declined, 2, "19.99"), payment_method="pm_card_chargeDeclined")
    scarce = order((make_product(stock=0), 1, "19.99"))
    bank = order((ok, 1, "19.99"), payment_method="pm_card_threeDSecure2Required")
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(client, settings=settings, engine=engine):
        first = await checkout(client, held, queue_prefix, wait=10, key="k-1")
        again = await checkout(client, held, queue_prefix, wait=10, key="k-1")
        with pytest.raises(IdempotencyKeyReused):
            await checkout(client, held.model_copy(update={"currency": "eur"}), queue_prefix,
                           wait=10, key="k-1")  # fmt: skip
        with pytest.raises(OrderAlreadyStarted):
            await checkout(client, held, queue_prefix, wait=10)  # another request, no key
        no = await checkout(client, declined, queue_prefix, wait=10)
        late = await checkout(client, declined, queue_prefix, wait=10)  # after its end
        out = await checkout(client, scarce, queue_prefix, wait=10)
        asked = await checkout(client, bank, queue_prefix, wait=10)
        await asked.handle.cancel()  # the customer leaves the bank's page: undone
        ended = [await order_outcome(c.handle) for c in (first, asked)]

    assert step(first.status, "charge_payment") == StepState.DONE
    assert first.handle.id == again.handle.id and again.status == first.status
    [intent] = stripe_server[0].ledger.intents_of_order(held.order_id)  # one saga, one charge
    assert intent["status"] in ("requires_capture", "succeeded")
    assert isinstance(no.status, SagaStatus) and no.status.status == SagaState.COMPENSATED
    assert step(no.status, "charge_payment") == StepState.FAILED
    assert stock(engine, card_declined) == 5  # released before the answer
    assert late.status is not None and late.status.status == SagaState.COMPENSATED
    assert isinstance(out.status, SagaStatus) and step(out.status, "reserve_inventory") == (
        StepState.FAILED
    )
    assert isinstance(asked.status, SagaStatus)
    assert asked.status.status == SagaState.AWAITING_AUTHENTICATION
    assert asked.status.authentication_url
    assert [e.status for e in ended] == [SagaState.COMPLETED, SagaState.CANCELLED]


async def test_an_answer_outlives_the_call_that_asked(
    dev_server: str, engine: Engine, stripe_server, queue_prefix: str, make_product
) -> None:
    client = await connect(dev_server)
    request = order((make_product(stock=5), 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 0}
    )
    # No worker yet: the saga starts, its checkout waits for one, and the wait runs out.
    first = await checkout(client, request, queue_prefix, wait=1, key="k-2")
    settings = worker_settings(stripe_server[1], queue_prefix)
    async with build_worker(client, settings=settings, engine=engine):
        again = await checkout(client, request, queue_prefix, wait=10, key="k-2")
        assert (await order_outcome(again.handle)).status == SagaState.COMPLETED
    assert first.status is None and again.handle.id == first.handle.id
    assert step(again.status, "charge_payment") == StepState.DONE
    assert len(stripe_server[0].ledger.intents_of_order(request.order_id)) == 1


async def test_colocated_the_answer_leaves_before_the_shipment_is_booked(
    dev_server: str, engine: Engine, stripe_server, queue_prefix: str, make_product
) -> None:
    client = await connect(dev_server)
    request = order((make_product(stock=5), 1, "19.99")).model_copy(
        update={"handover_delay_seconds": 0}  # without the timer, all of it in one task
    )
    settings = worker_settings(stripe_server[1], queue_prefix).model_copy(
        update={"placement": "colocated"}
    )
    async with build_worker(client, settings=settings, engine=engine):
        answered = await checkout(client, request, queue_prefix, wait=10)
        ended = await order_outcome(answered.handle)
    assert step(answered.status, "charge_payment") == StepState.DONE
    assert step(answered.status, "create_shipment") == StepState.PENDING
    assert ended.status == SagaState.COMPLETED
