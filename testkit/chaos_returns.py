"""A chaos run's returns: as soon as an order marked for one has shipped, its customer sends
items back (all of them, one unit, or all of them twice at once), and the parcel is received,
all while workers die and the server restarts. What the books must then show is the audit's."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError

from activities.returns.contracts import ReturnedItem
from order_saga.client.after_sale import order_returns
from order_saga.client.errors import ReturnNotFound, ReturnRefused
from order_saga.client.return_opening import open_return
from order_saga.client.returns import receive_return, return_result
from testkit.chaos_kit import final_state, retrying
from testkit.chaos_paths import SagaPath
from workflows.order_request import OrderRequest
from workflows.order_state import SagaState
from workflows.return_request import ReturnState

TIMEOUT = 600  # seconds a return may take through the chaos


async def send_back(
    client: Client,
    engine: Engine,
    path: SagaPath,
    order: OrderRequest,
    handle: WorkflowHandle[Any, Any],
    queue: str,
    tally: Counter[str],
) -> None:
    """The order's returns, once it has shipped; each outcome counted in `tally`."""
    if path.returned is None or await final_state(handle) != SagaState.COMPLETED:
        return
    items = [ReturnedItem(sku=i.sku, quantity=i.quantity) for i in order.items]
    if path.returned == "one":
        items = [ReturnedItem(sku=order.items[0].sku, quantity=1)]
    tries = 2 if path.returned == "race" else 1
    answers = await asyncio.gather(
        *(opened(client, engine, order, items, queue) for _ in range(tries)),
        return_exceptions=True,
    )
    tally["returns refused"] += sum(isinstance(a, ReturnRefused) for a in answers)
    for return_id in {a for a in answers if isinstance(a, str)}:
        tally["returns opened"] += 1
        await retrying(lambda r=return_id: received(client, r), seconds=TIMEOUT)
        ended = await retrying(lambda r=return_id: return_result(client, r), seconds=TIMEOUT)
        tally[f"returns {ended.state.lower()}"] += 1


async def opened(
    client: Client, engine: Engine, order: OrderRequest, items: list[ReturnedItem], queue: str
) -> str:
    """The id of the return opened for `items`; a refusal raised. An answer lost to a
    restart is found again on the returns table (the opening wrote its row)."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + TIMEOUT
    while True:
        try:
            view = await open_return(client, order.order_id, items, queue=queue, by="chaos")
            return view.return_id
        except (RPCError, RuntimeError, ReturnNotFound):
            rows = await asyncio.to_thread(order_returns, engine, order.order_id)
            mine = [r for r in rows if r.state == ReturnState.AWAITING_PARCEL]
            if mine:
                return mine[-1].return_id
            if loop.time() > give_up:
                raise
            await asyncio.sleep(0.5)  # the stack is restarting; ask again shortly


async def received(client: Client, return_id: str) -> None:
    """The parcel is back (again, harmlessly, if the first answer was lost)."""
    try:
        await receive_return(client, return_id, [], by="chaos")
    except ReturnRefused as refused:
        if "cannot receive" not in str(refused):
            raise
