"""The void of a PaymentIntent that was never confirmed, run apart from the saga.

No confirm was sent, so no money can have moved: the order's stock and outcome need not wait
for the gateway. The saga starts this workflow (abandoned when the saga closes) and moves on
to its older undos; this one retries the void, as long as the gateway takes, until the
intent, if it exists, is cancelled. Until then the audit shows the orphan intent.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payment.activities import REFUND_PAYMENT
    from activities.payment.contracts import RefundPaymentInput, RefundResult
    from workflows.detached import start_detached
    from workflows.placement import runs_colocated

VOID_WORKFLOW_TYPE = "VoidPaymentIntent"


@workflow.defn(name=VOID_WORKFLOW_TYPE)
class VoidPaymentIntent:
    @workflow.run
    async def run(self, request: RefundPaymentInput) -> RefundResult:
        """Cancel the order's unconfirmed intent (found by replaying its create when every
        answer to it was lost), retrying until the gateway answers."""
        return await REFUND_PAYMENT.execute(
            request, summary="void the unconfirmed intent", local=runs_colocated()
        )


async def start_void(request: RefundPaymentInput) -> RefundResult:
    """Hand the void to its own workflow and return at once; the result says so."""
    saga = workflow.info()
    # A person's retry of the undos finds the void already running.
    await start_detached(
        VoidPaymentIntent.run,
        request,
        id=f"{saga.workflow_id}-void-intent",
        summary=f"void the unconfirmed payment intent of order {request.order_id}",
    )
    return RefundResult(
        order_id=request.order_id,
        action="void_detached",
        payment_intent_id=request.payment_intent_id,
    )
