"""The payment gateway's settings: the Stripe client, the local Stripe server, the breaker."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(".data")  # where the embedded default keeps its files
LOCAL_STRIPE_PORT = 12111  # stripe-mock's port, so tools that know it find ours
LOCAL_STRIPE_KEY = "sk_test_order_saga_local"


class PaymentSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    stripe_api_key: SecretStr | None = Field(
        default=None, description="A Stripe test key; unset means the local Stripe server"
    )
    stripe_api_base: str | None = Field(
        default=None, description="Where the Stripe client sends requests"
    )
    stripe_max_network_retries: int = Field(
        default=3,
        ge=0,
        description="The SDK's quick retries of one request (the original design's three), "
        "under Temporal's",
    )
    stripe_timeout_seconds: float = Field(default=20.0, gt=0)
    stripe_webhook_url: str | None = Field(
        default=None,
        description="Where the local Stripe server sends its events; `order-saga dev` sets "
        "its own API's /webhooks/stripe",
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="The webhook endpoint's signing secret (whsec_...); unset, POST "
        "/webhooks/stripe answers 503",
    )
    stripe_faults: str | None = Field(
        default=None, description="Faults the local Stripe server injects, e.g. http_500=0.1"
    )
    stripe_state_file: Path | None = Field(
        default=DATA_DIR / "stripe.json", description="Where the local Stripe server keeps state"
    )
    breaker_fail_max: int = Field(
        default=5, ge=1, description="Consecutive transient gateway failures that open it"
    )
    breaker_reset_seconds: float = Field(
        default=30.0, gt=0, description="How long it stays open before half-opening"
    )

    @property
    def uses_local_stripe(self) -> bool:
        """No key: payments go to the local Stripe-compatible server."""
        return self.stripe_api_key is None

    @property
    def webhook_secret(self) -> str | None:
        """The secret Stripe's events are verified with, if one is set."""
        secret = self.stripe_webhook_secret
        return secret.get_secret_value() if secret else None

    @property
    def stripe_key(self) -> str:
        """The key the Stripe client sends (a fixed test key for the local server)."""
        return self.stripe_api_key.get_secret_value() if self.stripe_api_key else LOCAL_STRIPE_KEY

    @property
    def stripe_base(self) -> str | None:
        """Where the Stripe client sends requests; None means Stripe itself."""
        if self.stripe_api_base:
            return self.stripe_api_base
        return None if self.stripe_api_key else f"http://127.0.0.1:{LOCAL_STRIPE_PORT}"
