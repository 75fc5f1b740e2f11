"""The capture: the authorized money taken as the carrier takes the parcel, once."""

from __future__ import annotations

from temporalio import activity

from activities.failures import reports_failures
from activities.ownership import current_saga
from activities.payment import rules
from activities.payment.contracts import CapturePaymentInput, CaptureResult
from activities.payment.service import PaymentService
from activities.payment.tables import PaymentStatus


class CaptureActivities(PaymentService):
    """Take what the charge authorized."""

    @activity.defn(name="capture_payment")
    @reports_failures
    def capture_payment(self, request: CapturePaymentInput) -> CaptureResult:
        """Take the authorized money, once, as the carrier takes the parcel (a parcel's part
        of it, when the order ships in several). An authorization that is gone (expired,
        cancelled) fails for good: nothing was taken."""
        saga = current_saga(request)
        intent_id = request.payment_intent_id
        intent = self._gateway.retrieve_intent(intent_id)
        if intent.status == "requires_capture":
            captured = self._gateway.capture_intent(request, intent.amount_capturable)
            intent = captured or self._gateway.retrieve_intent(intent_id)
        held = intent.status == "requires_capture"
        if held and not request.final and (intent.amount_received or 0) > 0:
            status = PaymentStatus.PARTIALLY_CAPTURED  # this parcel's, the rest still held
        elif intent.status == "succeeded":  # captured already (an answer lost) is succeeded
            status = PaymentStatus.CAPTURED
        else:
            why = intent.cancellation_reason or "-"
            raise rules.CaptureFailed(
                f"PaymentIntent {intent_id} is {intent.status} ({why}): its authorization "
                "expired or was cancelled; nothing was captured"
            )
        payment = self._record(saga, request.order_id, status, intent)
        return CaptureResult(
            payment_id=payment.payment_id,
            payment_intent_id=intent.id,
            amount=request.amount,
            currency=request.currency,
            final=status == PaymentStatus.CAPTURED,
        )
