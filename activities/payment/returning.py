"""A return's refund: part of what the order's payment captured, once per return, followed
until the bank settles it (`RefundingGateway.refund_part`)."""

from __future__ import annotations

from temporalio import activity

from activities.database import reading
from activities.failures import BusinessError, reports_failures
from activities.money import to_minor_units
from activities.payment import repository
from activities.payment.contracts import RefundReturnInput, ReturnRefundResult
from activities.payment.service import PaymentService
from activities.payment.tables import PaymentStatus


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
        if payment is None or payment.status != PaymentStatus.CAPTURED or intent is None:
            status = payment.status if payment else "none"
            raise NothingCaptured(f"order {request.order_id}'s payment is {status}: not captured")
        refund = self._gateway.refund_part(
            intent,
            to_minor_units(request.amount, request.currency),
            f"return/{request.return_id}",
            request.person_retry,
        )
        activity.logger.info("return %s refunded %s", request.return_id, refund.id)
        return ReturnRefundResult(
            return_id=request.return_id,
            refund_id=refund.id,
            amount=request.amount,
            currency=request.currency,
        )
