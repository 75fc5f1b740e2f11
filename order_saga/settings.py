"""Application settings, read from the environment once at each entry point and passed down.

Temporal's own connection settings come from envconfig.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from temporalio.converter import PayloadCodec

from activities.notification.mailer import SmtpServer
from activities.notification.rendering import sender_domain
from activities.notification.targets import TargetPolicy
from workflows.order_request import (
    DEFAULT_DEADLINE_SECONDS,
    MAX_DEADLINE_SECONDS,
    MIN_DEADLINE_SECONDS,
)
from workflows.placement import Placement

DATA_DIR = Path(".data")
API_PORT = 8000  # the HTTP order API's, as the original design serves it
LOCAL_STRIPE_PORT = 12111  # stripe-mock's port, so tools that know it find ours
LOCAL_STRIPE_KEY = "sk_test_order_saga_local"
ALWAYS_UNSERVED = frozenset({"AQ"})  # no carrier ships to Antarctica


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DATA_DIR / 'orders.db'}",
        description="SQLAlchemy URL; postgresql:// URLs are served by psycopg",
    )
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
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Send order events to loopback, private and link-local addresses, and "
        "over plain http (an internal or dev deployment; `order-saga dev` sets it)",
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
    order_deadline_seconds: int = Field(
        default=DEFAULT_DEADLINE_SECONDS,
        ge=MIN_DEADLINE_SECONDS,
        le=MAX_DEADLINE_SECONDS,
        description="An order's business deadline unless it names one: a saga whose shipment "
        "is not booked by then is undone and ends EXPIRED",
    )
    payload_keys: SecretStr | None = Field(
        default=None,
        description="Encrypt payloads (AES-GCM): id:base64key,... the first encrypts, all "
        "decrypt (python -c 'from order_saga.codec import new_key; print(new_key())')",
    )
    codec_origins: Annotated[list[str], NoDecode] = Field(
        default=["http://localhost:8233", "http://127.0.0.1:8233"],
        description="Web UI origins allowed to call the codec endpoint (comma-separated)",
    )
    worker_build_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Run the worker as this build of the `order-saga` Worker Deployment, "
        "sagas pinned to the build they start on; unset: unversioned",
    )
    placement: Placement = Field(
        default="colocated",
        description="colocated: the orders worker runs every step itself (local activities) "
        "and a client in its process starts sagas eagerly; per-service: each service's "
        "steps on its own task queue, deployed and scaled on their own",
    )
    queue_prefix: str = Field(
        default="order-saga",
        # TASK_QUEUE is the name it had before: still read, so deployments keep working.
        validation_alias=AliasChoices("queue_prefix", "QUEUE_PREFIX", "task_queue", "TASK_QUEUE"),
        description="Prefix of the per-service task queues: <prefix>-orders, <prefix>-payment...",
    )
    worker_shutdown_grace_seconds: float = Field(
        default=95.0,
        ge=0,
        description="On SIGTERM/SIGINT a worker stops polling and lets activities in flight "
        "finish for this long before cancelling them: one Stripe call with its SDK retries "
        "takes up to 90 s. A deployment's termination grace period must be longer",
    )
    tracing: bool = Field(
        default=False, description="OpenTelemetry spans over OTLP (needs the tracing extra)"
    )
    auth_disabled: bool = Field(
        default=False,
        description="Let every request in as an operator: only behind a gateway that already "
        "checks callers (the API warns at start)",
    )
    auth_jwks_url: str | None = Field(
        default=None,
        description="The identity provider's JWKS: bearer JWTs are verified against it; unset, "
        "only API keys are accepted",
    )
    auth_issuer: str | None = Field(default=None, description="The JWTs' required `iss`")
    auth_audience: str | None = Field(default=None, description="The JWTs' required `aud`")
    auth_role_claim: str = Field(
        default="roles",
        description="The JWT claim naming the caller's role(s): customer, storefront, operator",
    )
    order_rate_limit: str = Field(
        default="20 per 2 seconds",
        description="Orders one caller may start (the limits library's notation): 20 per 2 "
        "seconds is a burst of 20, 10 a second sustained; over it, 429 with Retry-After",
    )
    rate_limit_storage_url: SecretStr | None = Field(
        default=None,
        description="Where the API's replicas keep the rate limit's counts, shared "
        "(redis://[:password@]host:6379/0, rediss:// with TLS); unset, each process counts "
        "alone (memory://), so N replicas allow N times ORDER_RATE_LIMIT",
    )
    smtp_url: SecretStr | None = Field(
        default=None,
        description="Where the customer's mails go: smtp://user:password@host:587 (STARTTLS, "
        "required with credentials) or smtps://...:465 (TLS); unset, each mail fails and is "
        "counted (order_saga_notification_failures_total). `order-saga dev` runs its own",
    )
    mail_from: str = Field(
        default="Order Saga <orders@order-saga.localhost>",
        description="The mails' From; its domain is the Message-IDs'",
    )
    carrier: str = "ACME Freight"
    unserved_countries: Annotated[frozenset[str], NoDecode] = Field(
        default=ALWAYS_UNSERVED, description="Comma-separated ISO codes the carrier refuses"
    )

    @field_validator("codec_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        return (
            [o.strip() for o in value.split(",") if o.strip()] if isinstance(value, str) else value
        )

    @field_validator("unserved_countries", mode="before")
    @classmethod
    def _parse_countries(cls, value: object) -> object:
        codes = value.split(",") if isinstance(value, str) else value
        if not isinstance(codes, list | set | frozenset | tuple):
            return value  # let pydantic report the wrong type
        return frozenset(str(c).strip().upper() for c in codes if str(c).strip()) | ALWAYS_UNSERVED

    @field_validator("order_rate_limit")
    @classmethod
    def _parse_rate(cls, value: str) -> str:
        from limits import parse

        parse(value)  # a ValueError names the setting
        return value

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _parse_rate_storage(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(
            ("redis://", "rediss://", "redis+sentinel://", "memory://")
        ):
            raise ValueError("must be a redis://, rediss:// or memory:// URL")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _parse_smtp(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            SmtpServer.from_url(value.get_secret_value())  # a ValueError names the setting
        return value

    @field_validator("mail_from")
    @classmethod
    def _parse_sender(cls, value: str) -> str:
        sender_domain(value)
        return value

    @model_validator(mode="after")
    def _jwt_settings_together(self) -> Settings:
        if self.auth_jwks_url and not (self.auth_issuer and self.auth_audience):
            raise ValueError("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE")
        return self

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

    def smtp_server(self) -> SmtpServer | None:
        """The SMTP server the customer's mails go through, if one is set."""
        return SmtpServer.from_url(self.smtp_url.get_secret_value()) if self.smtp_url else None

    def webhook_targets(self) -> TargetPolicy:
        """Where subscribers' URLs may point, at registration and at each delivery."""
        return TargetPolicy(allow_private=self.webhook_allow_private_targets)

    def payload_codec(self, *, reader: bool = False) -> PayloadCodec | None:
        """The codec every client and worker uses when PAYLOAD_KEYS is set; without it, a
        `reader` (a command, the API) gets one that names the setting when it meets an
        encrypted payload, and a worker none (no codec pass over every activation)."""
        from order_saga.codec import EncryptionCodec, KeylessCodec, parse_keys

        if self.payload_keys is None:
            return KeylessCodec() if reader else None

        return EncryptionCodec(parse_keys(self.payload_keys.get_secret_value()))
