"""Today's order saga with a timer added before its first step, as a change moves through
Temporal's patch lifecycle: unguarded, patched, deprecated (`test_patching`)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.order_request import OrderRequest
    from workflows.order_state import WORKFLOW_TYPE, OrderResult
    from workflows.order_workflow import OrderSaga

PATCH = "pause-before-reserving"


class _Pauses(OrderSaga):
    """Today's saga with a one-second timer before reserving, added as each stage has it
    (each workflow class names its own run)."""

    def _pause_now(self) -> bool:
        return True

    async def _forward(self, order: OrderRequest) -> OrderResult:
        if self._pause_now():
            await workflow.sleep(1, summary="pause before reserving")
        return await super()._forward(order)


@workflow.defn(name=WORKFLOW_TYPE)
class Unguarded(_Pauses):
    """The timer added as is: also the code once the patch is removed."""

    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        return await super().run(order)


@workflow.defn(name=WORKFLOW_TYPE)
class Patched(_Pauses):
    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        return await super().run(order)

    def _pause_now(self) -> bool:
        return workflow.patched(PATCH)


@workflow.defn(name=WORKFLOW_TYPE)
class Deprecated(_Pauses):
    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        return await super().run(order)

    def _pause_now(self) -> bool:
        workflow.deprecate_patch(PATCH)
        return True
