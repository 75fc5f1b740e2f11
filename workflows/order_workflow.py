"""The order saga: reserve, charge, ship; when a step fails or the order is cancelled, undo
the done ones newest first."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.inventory.activities import RELEASE_INVENTORY, RESERVE_INVENTORY
    from activities.inventory.contracts import ReleaseInventoryInput, ReserveInventoryInput
    from activities.payment.activities import (
        CHARGE_PAYMENT,
        CREATE_PAYMENT_INTENT,
        REFUND_PAYMENT,
    )
    from activities.payment.contracts import (
        ChargePaymentInput,
        CreatePaymentIntentInput,
        RefundPaymentInput,
    )
    from activities.shipment.activities import CANCEL_SHIPMENT, CREATE_SHIPMENT
    from activities.shipment.contracts import CancelShipmentInput, CreateShipmentInput
    from workflows.order_progress import FEWER_UPSERTS, OrderProgress, StepFailed
    from workflows.order_request import OrderRequest
    from workflows.order_state import (
        STATUS_QUERY,
        WORKFLOW_TYPE,
        OrderResult,
        SagaState,
        SagaStatus,
        compensated_failure,
    )
    from workflows.order_steps import OrderSteps
    from workflows.saga import Saga


# A compensated order fails the workflow (red in the Web UI's list) instead of completing.
FAILED_WHEN_COMPENSATED = "compensated-fails-workflow"


# An input that cannot be decoded (sent by another client) fails the run, naming the field,
# instead of failing its workflow task over and over.
@workflow.defn(name=WORKFLOW_TYPE, failure_exception_types=[ValidationError])
class OrderSaga:
    def __init__(self) -> None:
        self._progress = OrderProgress()
        self._saga = Saga(
            on_undo=self._progress.undo_started,
            on_undone=self._progress.undone,
            on_failed=self._progress.undo_failed,
        )
        self._steps = OrderSteps(self._progress, self._saga)

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> SagaStatus:
        """Where the saga is and how each step went, answered while it runs."""
        return self._progress.status()

    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        """Run the order forward; undo it on a step failure or a cancel."""
        own_id = workflow.info().workflow_id
        if own_id != order.workflow_id:  # one order, one saga: another id would undo its work
            raise ApplicationError(
                f"order {order.order_id} runs only as workflow {order.workflow_id}, not {own_id}",
                type="WrongWorkflowId",
                non_retryable=True,
            )
        progress = self._progress
        progress.begin(order)
        try:
            result = await self._forward(order)
        except StepFailed as failure:
            await self._saga.compensate()
            failed = bool(progress.compensation_failures)
            progress.set_state(SagaState.COMPENSATION_FAILED if failed else SagaState.COMPENSATED)
            progress.finished()
            result = progress.result(failure)
            if workflow.patched(FAILED_WHEN_COMPENSATED):
                raise compensated_failure(result) from None
            return result  # histories from before the patch
        except asyncio.CancelledError:
            progress.cancel_reason = workflow.cancellation_reason()
            if progress.cancel_reason is None:
                raise  # not a cancel of the order (e.g. the worker evicting the run)
            progress.set_state(SagaState.CANCELLING, f"cancelled: {progress.cancel_reason or '-'}")
            await self._saga.compensate()
            # An undo that failed needs a person, whatever started the undo.
            failed = bool(progress.compensation_failures)
            end = SagaState.COMPENSATION_FAILED if failed else SagaState.CANCELLED
            progress.set_state(end, f"cancelled: {progress.cancel_reason or '-'}")
            progress.finished()
            raise
        progress.set_state(SagaState.COMPLETED, f"handed to the carrier: {result.tracking_number}")
        progress.finished()
        return result

    async def _forward(self, order: OrderRequest) -> OrderResult:
        """The business process. Each undo is registered before its step runs: a step that
        timed out after taking effect is still undone, and every undo is idempotent."""
        key = workflow.info().workflow_id  # one saga per order, so one key per order
        count = sum(item.quantity for item in order.items)
        units = f"{count} unit{'s' if count != 1 else ''}"
        release = ReleaseInventoryInput(order_id=order.order_id, skus=[i.sku for i in order.items])
        self._steps.undo_with("reserve_inventory", RELEASE_INVENTORY, release, f"release {units}")
        reservation = await self._steps.run(
            "reserve_inventory",
            RESERVE_INVENTORY,
            ReserveInventoryInput(
                order_id=order.order_id, currency=order.currency, items=order.items
            ),
            f"reserve {units}",
            deadline=order.step_deadline,
        )

        money = f"{reservation.total} {reservation.currency.upper()}"
        create = CreatePaymentIntentInput(
            order_id=order.order_id,
            customer_id=order.customer_id,
            amount=reservation.total,
            currency=reservation.currency,
            payment_method=order.payment_method,
            idempotency_key=key,
        )
        # With the create request, the refund finds an intent whose every answer was lost.
        refund = RefundPaymentInput(order_id=order.order_id, idempotency_key=key, create=create)
        self._steps.undo_with("charge_payment", REFUND_PAYMENT, refund, f"refund {money}")
        self._progress.set_state(SagaState.RUNNING, f"charging {money}")
        # Two activities, so the PaymentIntent id is in the history before money moves.
        intent = await self._steps.run(
            "charge_payment",
            CREATE_PAYMENT_INTENT,
            create,
            f"create payment intent {money}",
            last=False,
        )
        refund = refund.model_copy(update={"payment_intent_id": intent.payment_intent_id})
        self._steps.undo_with("charge_payment", REFUND_PAYMENT, refund, f"refund {money}")
        charge = await self._steps.run(
            "charge_payment",
            CHARGE_PAYMENT,
            ChargePaymentInput(
                order_id=order.order_id,
                payment_intent_id=intent.payment_intent_id,
                amount=reservation.total,
                currency=reservation.currency,
                idempotency_key=key,
            ),
            f"charge {money}",
        )

        address = order.shipping_address
        cancel = CancelShipmentInput(order_id=order.order_id)
        self._steps.undo_with("create_shipment", CANCEL_SHIPMENT, cancel, "cancel shipment")
        destination = f"{address.city}, {address.country}"
        self._progress.set_state(SagaState.RUNNING, f"booking shipment to {destination}")
        shipment = await self._steps.run(
            "create_shipment",
            CREATE_SHIPMENT,
            CreateShipmentInput(order_id=order.order_id, address=address),
            f"ship to {destination}",
            deadline=order.step_deadline,
        )

        pickup = timedelta(seconds=order.handover_delay_seconds)
        if pickup or not workflow.patched(FEWER_UPSERTS):
            pickup_at = (workflow.now() + pickup).strftime("%Y-%m-%d %H:%M:%S UTC")
            self._progress.set_state(
                SagaState.AWAITING_HANDOVER,
                f"{shipment.carrier} {shipment.tracking_number} picks up at {pickup_at}; "
                "cancel is still possible until then",
            )
        if pickup:
            await workflow.sleep(pickup, summary="wait for carrier pickup")
        return OrderResult(
            order_id=order.order_id,
            status=SagaState.COMPLETED,
            total=reservation.total,
            currency=reservation.currency,
            payment_id=charge.payment_id,
            payment_intent_id=charge.payment_intent_id,
            shipment_id=shipment.shipment_id,
            tracking_number=shipment.tracking_number,
        )
