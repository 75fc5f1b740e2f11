"""A return's refund: part of what the order's payment captured, once per return, followed
until the bank settles it (`RefundingGateway.refund_part`)."""

from __future__ import annotations

from temporalio import activity

from activities.database import reading, transaction
from activities.failures import BusinessError, reports_failures
from activities.money import to_minor_units
from activities.payment import repository
from activities.payment.contracts import RefundReturnInput, ReturnRefundResult
from activities.payment.service import PaymentService
from activities.payment.tables import PaymentStatus

TAKEN = frozenset({PaymentStatus.CAPTURED, PaymentStatus.REFUNDED})


class NothingCaptured(BusinessError):
    """The order's payment holds no captured money to refund from."""

    type = "NothingCaptured"


class ReturnRefundActivities(PaymentService):
    """Give back what a return's lines were sold for."""

    @activity.defn(name="refund_return")
    @reports_failures
    def refund_return(self, request: RefundReturnInput) -> ReturnRefundResult:
        """Refund the return's amount from the order's captured payment, once: the refund
        carries the return's key, so a retry, even days later, finds it instead of refunding
        again. Stripe refuses more than is left, and anything while the charge is disputed."""
        with reading(self._engine) as session:
            payment = repository.get_payment(session=session, order_id=request.order_id)
        intent = payment.transaction_id if payment else None
        # Refunded: in full by the returns, this one's (retried) among them, found again.
        if payment is None or payment.status not in TAKEN or intent is None:
            status = payment.status if payment else "none"
            raise NothingCaptured(f"order {request.order_id}'s payment is {status}: not captured")
        refund = self._gateway.refund_part(
            intent,
            to_minor_units(request.amount, request.currency),
            f"return/{request.return_id}",
            request.person_retry,
        )
        activity.logger.info("return %s refunded %s", request.return_id, refund.id)
        if payment.status == PaymentStatus.CAPTURED and self._gateway.fully_refunded(intent):
            self._refunded_in_full(request.order_id, refund.to_dict())
        return ReturnRefundResult(
            return_id=request.return_id,
            refund_id=refund.id,
            amount=request.amount,
            currency=request.currency,
        )

    def _refunded_in_full(self, order_id: str, answer: dict[str, object]) -> None:
        """The returns gave back everything captured: the payment row says so."""
        with transaction(self._engine) as session:
            row = repository.get_payment(session=session, order_id=order_id)
            if row is not None and row.status == PaymentStatus.CAPTURED:
                repository.update_payment(
                    session=session,
                    payment=row,
                    status=PaymentStatus.REFUNDED,
                    transaction_id=None,
                    gateway_response=answer,
                )
