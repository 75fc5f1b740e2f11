"""The order saga: reserve, charge, ship; when a step fails, undo the done ones newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

with workflow.unsafe.imports_passed_through():
    from order_saga.contracts import (
        CancelShipmentInput,
        ChargePaymentInput,
        ChargeResult,
        CompensationFailure,
        CreatePaymentIntentInput,
        CreateShipmentInput,
        OrderRequest,
        OrderResult,
        PaymentIntentResult,
        RefundPaymentInput,
        ReleaseInventoryInput,
        ReservationResult,
        ReserveInventoryInput,
        SagaState,
        SagaStatus,
        ShipmentResult,
        StepState,
        StepStatus,
    )
    from workflows import policies

STEPS = ("reserve_inventory", "charge_payment", "create_shipment")


@dataclass(frozen=True)
class Compensation:
    """The activity that undoes `step`, with the argument it needs."""

    step: str
    activity: str
    arg: Any


class StepFailed(Exception):
    def __init__(self, step: str, error_type: str, message: str) -> None:
        super().__init__(message)
        self.step, self.error_type, self.message = step, error_type, message


@workflow.defn(name="OrderSaga")
class OrderSaga:
    def __init__(self) -> None:
        self._order_id = ""
        self._state = SagaState.RUNNING
        self._steps = {name: StepStatus(name=name) for name in STEPS}
        self._compensations_run: list[str] = []
        self._compensation_failures: list[CompensationFailure] = []

    @workflow.query
    def status(self) -> SagaStatus:
        return SagaStatus(
            order_id=self._order_id,
            state=self._state,
            steps=[s.model_copy() for s in self._steps.values()],
            compensations_run=list(self._compensations_run),
            compensation_failures=list(self._compensation_failures),
        )

    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        self._order_id = order.order_id
        key = workflow.info().workflow_id  # one saga per order, so one key per order
        compensations: list[Compensation] = []
        try:
            # Each compensation is registered before its step runs: a step that timed out
            # after taking effect is still undone, and every compensation is idempotent.
            skus = [item.sku for item in order.items]
            compensations.append(
                Compensation(
                    "reserve_inventory",
                    "release_inventory",
                    ReleaseInventoryInput(order_id=order.order_id, skus=skus),
                )
            )
            reservation: ReservationResult = await self._step(
                "reserve_inventory",
                ReserveInventoryInput(
                    order_id=order.order_id, currency=order.currency, items=order.items
                ),
                policies.RESERVE_TIMEOUT,
                policies.RESERVE_RETRY,
                ReservationResult,
            )
            compensations.append(
                Compensation(
                    "charge_payment",
                    "refund_payment",
                    RefundPaymentInput(order_id=order.order_id, idempotency_key=key),
                )
            )
            # Two steps, so the PaymentIntent id is in the history before any money moves.
            intent: PaymentIntentResult = await self._step(
                "charge_payment",
                CreatePaymentIntentInput(
                    order_id=order.order_id,
                    customer_id=order.customer_id,
                    amount=reservation.total,
                    currency=reservation.currency,
                    payment_method=order.payment_method,
                    idempotency_key=key,
                ),
                policies.PAYMENT_TIMEOUT,
                policies.PAYMENT_RETRY,
                PaymentIntentResult,
                activity="create_payment_intent",
                schedule_to_close=policies.PAYMENT_DEADLINE,
                last=False,
            )
            compensations[-1] = Compensation(
                "charge_payment",
                "refund_payment",
                RefundPaymentInput(
                    order_id=order.order_id,
                    idempotency_key=key,
                    payment_intent_id=intent.payment_intent_id,
                ),
            )
            charge: ChargeResult = await self._step(
                "charge_payment",
                ChargePaymentInput(
                    order_id=order.order_id,
                    payment_intent_id=intent.payment_intent_id,
                    amount=reservation.total,
                    currency=reservation.currency,
                    idempotency_key=key,
                ),
                policies.PAYMENT_TIMEOUT,
                policies.PAYMENT_RETRY,
                ChargeResult,
                schedule_to_close=policies.PAYMENT_DEADLINE,
            )
            compensations.append(
                Compensation(
                    "create_shipment",
                    "cancel_shipment",
                    CancelShipmentInput(order_id=order.order_id),
                )
            )
            shipment: ShipmentResult = await self._step(
                "create_shipment",
                CreateShipmentInput(order_id=order.order_id, address=order.shipping_address),
                policies.SHIPMENT_TIMEOUT,
                policies.SHIPMENT_RETRY,
                ShipmentResult,
            )
        except StepFailed as failure:
            await self._compensate(compensations)
            self._state = (
                SagaState.COMPENSATION_FAILED
                if self._compensation_failures
                else SagaState.COMPENSATED
            )
            return OrderResult(
                order_id=order.order_id,
                status=self._state,
                failed_step=failure.step,
                error_type=failure.error_type,
                error_message=failure.message,
                compensations_run=list(self._compensations_run),
                compensation_failures=list(self._compensation_failures),
            )
        self._state = SagaState.COMPLETED
        return OrderResult(
            order_id=order.order_id,
            status=self._state,
            total=reservation.total,
            currency=reservation.currency,
            payment_id=charge.payment_id,
            payment_intent_id=charge.payment_intent_id,
            shipment_id=shipment.shipment_id,
            tracking_number=shipment.tracking_number,
        )

    async def _step(
        self,
        name: str,
        arg: Any,
        timeout: timedelta,
        retry: RetryPolicy,
        result_type: type[Any],
        *,
        activity: str | None = None,
        schedule_to_close: timedelta | None = None,
        last: bool = True,
    ) -> Any:
        """Run one activity of step `name`; `last=False` keeps the step RUNNING after it."""
        step = self._steps[name]
        step.state = StepState.RUNNING
        try:
            result = await workflow.execute_activity(
                activity or name,
                arg,
                start_to_close_timeout=timeout,
                schedule_to_close_timeout=schedule_to_close,
                retry_policy=retry,
                result_type=result_type,
            )
        except ActivityError as err:
            step.state = StepState.FAILED
            step.error_type, step.error_message = _describe(err)
            workflow.logger.warning("step %s failed: %s", name, step.error_message)
            raise StepFailed(name, step.error_type, step.error_message) from err
        if last:
            step.state = StepState.DONE
        return result

    async def _compensate(self, compensations: list[Compensation]) -> None:
        """Undo the registered steps newest first; each undo retries until it succeeds.

        Only an undo that says no retry can help (a refund the bank refuses) stops early:
        it is reported for a person to settle, and the older undos still run.
        """
        self._state = SagaState.COMPENSATING
        for compensation in reversed(compensations):
            step = self._steps[compensation.step]
            failed = step.state == StepState.FAILED
            step.state = StepState.COMPENSATING
            try:
                await workflow.execute_activity(
                    compensation.activity,
                    compensation.arg,
                    start_to_close_timeout=policies.COMPENSATION_TIMEOUT,
                    retry_policy=policies.COMPENSATION_RETRY,
                )
            except ActivityError as err:
                error_type, message = _describe(err)
                workflow.logger.error("%s failed: %s", compensation.activity, message)
                self._compensation_failures.append(
                    CompensationFailure(
                        activity=compensation.activity, error_type=error_type, message=message
                    )
                )
                step.state = StepState.FAILED
                continue
            # The failed step keeps FAILED (and its error) so the status still says why.
            step.state = StepState.FAILED if failed else StepState.COMPENSATED
            self._compensations_run.append(compensation.activity)


def _describe(err: ActivityError) -> tuple[str, str]:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return cause.type or "ApplicationError", cause.message
    if isinstance(cause, TimeoutError):
        return "Timeout", f"activity {cause.type.name if cause.type else ''} timeout".strip()
    return type(cause).__name__ if cause else "ActivityError", str(cause or err)
