"""The payment's undo: refund what was taken, void what is only held, cancel an intent that
neither took nor holds money, and call nobody for nothing. A person's retry of a refused
refund asks the bank again (see `RefundingGateway.refund_once`)."""

from __future__ import annotations

from temporalio import activity

from activities.database import transaction
from activities.failures import reports_failures
from activities.ownership import current_saga, skip_foreign
from activities.payment import repository, rules
from activities.payment.contracts import RefundPaymentInput, RefundResult
from activities.payment.service import PaymentService
from activities.payment.tables import PaymentStatus


class UndoActivities(PaymentService):
    """Give the payment back, as far as it went."""

    @activity.defn(name="refund_payment")
    @reports_failures
    def refund_payment(self, request: RefundPaymentInput) -> RefundResult:
        """Compensation: refund what was taken, void what is only held, cancel what neither
        took nor holds money, call nobody for nothing."""
        with transaction(self._engine) as session:
            payment = repository.get_payment(session=session, order_id=request.order_id)
            if skip_foreign(payment, current_saga(request), f"the payment of {request.order_id}"):
                return RefundResult(order_id=request.order_id, action="not_ours", took_effect=False)
            if payment is not None and payment.status == PaymentStatus.REFUNDED:
                return RefundResult(order_id=request.order_id, action="already_refunded")
            if payment is not None and payment.status == PaymentStatus.VOIDED:
                return RefundResult(order_id=request.order_id, action="already_voided")
            authorized = payment is not None and payment.status == PaymentStatus.AUTHORIZED
            intent_id = request.payment_intent_id or (payment.transaction_id if payment else None)
        if intent_id is None and request.create is not None:
            # The create's answers may all have been lost: its replay finds the intent.
            found = self._gateway.replay_create(request.create)
            intent_id = found.id if found else None
        if intent_id is None:  # the order never reached Stripe, or Stripe refused the create
            return RefundResult(
                order_id=request.order_id, action="nothing_to_refund", took_effect=False
            )
        intent = self._gateway.retrieve_intent(intent_id)
        if intent.status == "requires_capture" and intent.amount_received:
            # Captured a parcel at a time, then undone: the rest of the hold is released
            # (the intent is then succeeded) and what was taken is refunded.
            intent = self._gateway.cancel_intent(intent_id, request.idempotency_key)
        if intent.status == "succeeded":
            refund = self._gateway.refund_once(
                intent_id, request.idempotency_key, request.person_retry
            )
            self._record_undo(request, PaymentStatus.REFUNDED, intent_id, refund.to_dict())
            return RefundResult(
                order_id=request.order_id,
                action="refunded",
                refund_id=refund.id,
                payment_intent_id=intent_id,
            )
        # An authorization (held, or gone while the row says held) is voided: given back.
        held = intent.status == "requires_capture" or (intent.status == "canceled" and authorized)
        if intent.status in rules.CANCELLABLE_INTENT_STATES:
            intent = self._gateway.cancel_intent(intent_id, request.idempotency_key)
        if held:
            self._record_undo(request, PaymentStatus.VOIDED, intent_id, intent.to_dict())
            return RefundResult(
                order_id=request.order_id, action="voided", payment_intent_id=intent_id
            )
        self._record_undo(request, PaymentStatus.FAILED, intent_id, intent.to_dict())
        return RefundResult(  # the intent never held money: cancelled so it cannot later
            order_id=request.order_id,
            action="cancelled",
            payment_intent_id=intent_id,
            took_effect=False,
        )
