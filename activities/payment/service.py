"""The payment service's shared part: its Stripe gateway behind the breaker, and how a step
or an undo writes what Stripe said on the order's payments row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import stripe
from sqlalchemy import Engine
from temporalio import activity

from activities.ownership import Owner, current_saga
from activities.payment import repository
from activities.payment.breaker import GatewayBreaker
from activities.payment.contracts import CreatePaymentIntentInput, RefundPaymentInput
from activities.payment.recorder import record_payment
from activities.payment.refunding import RefundingGateway
from activities.payment.stripe_errors import error_body
from activities.payment.tables import PaymentStatus

Json = dict[str, Any]


class PaymentService:
    """What the charge, the capture and the undo share: the engine and the gateway."""

    def __init__(
        self, engine: Engine, stripe_client: stripe.StripeClient, breaker: GatewayBreaker
    ) -> None:
        self._engine = engine
        self._gateway = RefundingGateway(stripe_client, breaker)

    def _record(
        self, saga: Owner, order_id: str, status: PaymentStatus, intent: stripe.PaymentIntent
    ) -> repository.PaymentRow:
        """What Stripe said of the intent, on the order's row."""
        return record_payment(self._engine, saga, order_id, status, intent.id, intent.to_dict())

    def _record_undo(
        self, request: RefundPaymentInput, status: PaymentStatus, intent_id: str, answer: Json
    ) -> None:
        """The undo's outcome on the row, which it creates if the create never wrote one."""
        record_payment(
            self._engine,
            current_saga(request),
            request.order_id,
            status,
            intent_id,
            answer,
            request=request.create,
        )

    def _record_final(
        self, saga: Owner, order_id: str, create: CreatePaymentIntentInput | None = None
    ) -> Callable[[stripe.StripeError], None]:
        """What a step does with a gateway failure no retry can fix: record it on the row
        (which a refused create writes first)."""

        def record(exc: stripe.StripeError) -> None:
            record_payment(
                self._engine,
                saga,
                order_id,
                PaymentStatus.FAILED,
                response=error_body(exc),
                request=create,
            )
            if not isinstance(exc, stripe.CardError):  # a bug or a config error, not a decline
                activity.logger.error("payment gateway refused %s: %s", order_id, exc)

        return record
