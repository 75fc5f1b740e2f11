"""Today's order saga with one activity call moved, to prove the replay test catches it."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payment.activities import CREATE_PAYMENT_INTENT
    from activities.payment.contracts import CreatePaymentIntentInput
    from workflows.order_request import OrderRequest
    from workflows.order_state import WORKFLOW_TYPE, OrderResult
    from workflows.order_workflow import OrderSaga


@workflow.defn(name=WORKFLOW_TYPE)
class ChargesBeforeReserving(OrderSaga):
    """The payment intent created before the reservation instead of after it."""

    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        return await super().run(order)

    async def _forward(self, order: OrderRequest) -> OrderResult:
        create = CreatePaymentIntentInput(
            order_id=order.order_id,
            customer_id=order.customer_id,
            amount=order.total,
            currency=order.currency,
            payment_method=order.payment_method,
            idempotency_key=workflow.info().workflow_id,
        )
        await CREATE_PAYMENT_INTENT.execute(create, summary="create payment intent")
        return await super()._forward(order)
