"""The Stripe client the payment activities use: Stripe itself, or the local server offline."""

from __future__ import annotations

import stripe

from order_saga.settings import Settings


def make_stripe_client(settings: Settings) -> stripe.StripeClient:
    """One client per worker; retries and timeouts are set here, not left to SDK defaults."""
    base = settings.stripe_base
    return stripe.StripeClient(
        settings.stripe_key,
        base_addresses={"api": base} if base else None,
        max_network_retries=settings.stripe_max_network_retries,
        http_client=stripe.RequestsClient(timeout=settings.stripe_timeout_seconds),
    )
