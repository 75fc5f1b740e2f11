"""The order saga: reserve, charge, ship; when a step fails or the order is cancelled, undo
the done ones newest first."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, CancelledError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from order_saga import queues, search
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
    from workflows.compensation import Compensation, StepFailed, describe
    from workflows.policies import PLANS

STEPS = ("reserve_inventory", "charge_payment", "create_shipment")


@workflow.defn(name="OrderSaga")
class OrderSaga:
    def __init__(self) -> None:
        self._order_id = ""
        self._state = SagaState.RUNNING
        self._steps = {name: StepStatus(name=name) for name in STEPS}
        self._compensations: list[Compensation] = []
        self._compensations_run: list[str] = []
        self._compensation_failures: list[CompensationFailure] = []
        self._cancel_reason: str | None = None
        self._published: SagaState | None = None

    @workflow.query
    def status(self) -> SagaStatus:
        """Where the saga is and how each step went, answered while it runs."""
        return SagaStatus(
            order_id=self._order_id,
            state=self._state,
            steps=[s.model_copy() for s in self._steps.values()],
            compensations_run=list(self._compensations_run),
            compensation_failures=list(self._compensation_failures),
            cancel_reason=self._cancel_reason,
        )

    @workflow.run
    async def run(self, order: OrderRequest) -> OrderResult:
        """Run the order forward; undo it on a step failure or a cancel."""
        self._order_id = order.order_id
        workflow.upsert_search_attributes(
            [
                search.CUSTOMER_ID.value_set(order.customer_id),
                search.ORDER_TOTAL.value_set(float(order.total)),
            ]
        )
        self._set_state(SagaState.RUNNING, "reserving inventory")
        self._count("sagas_started")
        try:
            result = await self._forward(order)
        except StepFailed as failure:
            await self._undo()
            failed = bool(self._compensation_failures)
            self._set_state(SagaState.COMPENSATION_FAILED if failed else SagaState.COMPENSATED)
            self._count("sagas_compensated")
            return OrderResult(
                order_id=order.order_id,
                status=self._state,
                failed_step=failure.step,
                error_type=failure.error_type,
                error_message=failure.message,
                compensations_run=list(self._compensations_run),
                compensation_failures=list(self._compensation_failures),
            )
        except asyncio.CancelledError:
            self._cancel_reason = workflow.cancellation_reason()
            if self._cancel_reason is None:
                raise  # not a cancel of the order (e.g. the worker evicting the run)
            self._set_state(SagaState.CANCELLING, f"cancelled: {self._cancel_reason or '-'}")
            await self._undo()
            self._set_state(SagaState.CANCELLED, f"cancelled: {self._cancel_reason or '-'}")
            self._count("sagas_cancelled")
            raise
        self._set_state(SagaState.COMPLETED, f"handed to the carrier: {result.tracking_number}")
        self._count("sagas_completed")
        return result

    async def _forward(self, order: OrderRequest) -> OrderResult:
        """The happy path. Each undo is registered before its step runs: a step that timed
        out after taking effect is still undone, and every undo is idempotent."""
        key = workflow.info().workflow_id  # one saga per order, so one key per order
        count = sum(item.quantity for item in order.items)
        units = f"{count} unit{'s' if count != 1 else ''}"
        self._register(
            "reserve_inventory",
            "release_inventory",
            ReleaseInventoryInput(order_id=order.order_id, skus=[i.sku for i in order.items]),
            f"release {units}",
        )
        reservation: ReservationResult = await self._step(
            "reserve_inventory",
            ReserveInventoryInput(
                order_id=order.order_id, currency=order.currency, items=order.items
            ),
            ReservationResult,
            f"reserve {units}",
        )
        money = f"{reservation.total} {reservation.currency.upper()}"
        refund = RefundPaymentInput(order_id=order.order_id, idempotency_key=key)
        self._register("charge_payment", "refund_payment", refund, f"refund {money}")
        self._set_state(SagaState.RUNNING, f"charging {money}")
        # Two activities, so the PaymentIntent id is in the history before money moves.
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
            PaymentIntentResult,
            f"create payment intent {money}",
            activity="create_payment_intent",
            last=False,
        )
        self._register(
            "charge_payment",
            "refund_payment",
            refund.model_copy(update={"payment_intent_id": intent.payment_intent_id}),
            f"refund {money}",
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
            ChargeResult,
            f"charge {money}",
        )
        address = order.shipping_address
        self._register(
            "create_shipment",
            "cancel_shipment",
            CancelShipmentInput(order_id=order.order_id),
            "cancel shipment",
        )
        self._set_state(SagaState.RUNNING, f"booking shipment to {address.city}, {address.country}")
        shipment: ShipmentResult = await self._step(
            "create_shipment",
            CreateShipmentInput(order_id=order.order_id, address=address),
            ShipmentResult,
            f"ship to {address.city}, {address.country}",
        )
        pickup = timedelta(seconds=order.handover_delay_seconds)
        self._set_state(
            SagaState.AWAITING_HANDOVER,
            f"{shipment.carrier} {shipment.tracking_number} picks up in {pickup}; "
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

    async def _step(
        self,
        name: str,
        arg: Any,
        result_type: type[Any],
        summary: str,
        *,
        activity: str | None = None,
        last: bool = True,
    ) -> Any:
        """Run one activity of step `name`; `last=False` keeps the step RUNNING after it."""
        step = self._steps[name]
        step.state = StepState.RUNNING
        try:
            result = await self._call(
                activity or name,
                arg,
                summary,
                result_type=result_type,
                # A step in flight finishes (or acknowledges) before anything is undone,
                # so no refund can race a charge.
                cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
            )
        except ActivityError as err:
            if isinstance(err.cause, CancelledError):
                raise asyncio.CancelledError from err
            step.state = StepState.FAILED
            step.error_type, step.error_message = describe(err)
            workflow.logger.warning("step %s failed: %s", name, step.error_message)
            raise StepFailed(name, step.error_type, step.error_message) from err
        if last:
            step.state = StepState.DONE
        if workflow.cancellation_reason() is not None:
            raise asyncio.CancelledError  # the step finished after the order was cancelled
        return result

    def _call(self, activity: str, arg: Any, summary: str, **options: Any) -> Any:
        plan = PLANS[activity]
        prefix = queues.prefix_of(workflow.info().task_queue)
        return workflow.execute_activity(
            activity,
            arg,
            task_queue=queues.queue(prefix, queues.ACTIVITY_SERVICE[activity]),
            start_to_close_timeout=plan.timeout,
            schedule_to_close_timeout=plan.deadline,
            retry_policy=plan.retry,
            summary=summary,
            **options,
        )

    def _register(self, step: str, activity: str, arg: Any, summary: str) -> None:
        """Add (or, for the same step, update) the undo of a step about to run."""
        undo = Compensation(step, activity, arg, summary)
        if self._compensations and self._compensations[-1].step == step:
            self._compensations[-1] = undo
        else:
            self._compensations.append(undo)

    async def _undo(self) -> None:
        """Run the undos to the end, even if the order is cancelled meanwhile."""
        task = asyncio.create_task(self._compensate())
        while not task.done():
            try:
                await workflow.wait([task])
            except asyncio.CancelledError:
                continue  # a cancel during the undo changes nothing: the undo finishes
        task.result()

    async def _compensate(self) -> None:
        """Undo newest first; each undo retries until it succeeds. Only an undo that says no
        retry can help (a refund the bank refuses) stops early: it is reported for a person
        to settle, and the older undos still run."""
        if self._state != SagaState.CANCELLING:
            self._set_state(SagaState.COMPENSATING)
        for undo in reversed(self._compensations):
            step = self._steps[undo.step]
            failed = step.state == StepState.FAILED
            step.state = StepState.COMPENSATING
            workflow.set_current_details(f"undoing {undo.step}: {undo.summary}")
            try:
                await self._call(undo.activity, undo.arg, undo.summary)
            except ActivityError as err:
                error_type, message = describe(err)
                workflow.logger.error("%s failed: %s", undo.activity, message)
                self._compensation_failures.append(
                    CompensationFailure(
                        activity=undo.activity, error_type=error_type, message=message
                    )
                )
                self._count("compensation_failures")
                step.state = StepState.FAILED
                continue
            # The failed step keeps FAILED (and its error) so the status still says why.
            step.state = StepState.FAILED if failed else StepState.COMPENSATED
            self._compensations_run.append(undo.activity)

    def _set_state(self, state: SagaState, details: str | None = None) -> None:
        """Every state change is visible: the query, the Web UI's details, `OrderStatus`."""
        if state != self._published:
            workflow.upsert_search_attributes([search.ORDER_STATUS.value_set(str(state))])
            self._published = state
        self._state = state
        workflow.set_current_details(details or state.lower().replace("_", " "))

    def _count(self, name: str) -> None:
        workflow.metric_meter().create_counter(f"order_saga_{name}", f"Order sagas: {name}").add(1)
