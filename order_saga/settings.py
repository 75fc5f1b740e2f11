"""Application settings, read from the environment once at each entry point and passed down.

Temporal's own connection settings come from envconfig. The gateway's are
settings_payments.py, the API's callers' settings_access.py.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, EmailStr, Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict
from temporalio.converter import PayloadCodec

from activities.notification.mailer import SmtpServer
from activities.notification.rendering import sender_domain
from activities.notification.targets import TargetPolicy
from order_saga.settings_access import AccessSettings
from order_saga.settings_payments import (
    DATA_DIR,
    LOCAL_STRIPE_KEY,
    LOCAL_STRIPE_PORT,
    PaymentSettings,
)
from workflows.order_request import (
    DEFAULT_DEADLINE_SECONDS,
    MAX_DEADLINE_SECONDS,
    MIN_DEADLINE_SECONDS,
)
from workflows.placement import Placement
from workflows.return_request import DEFAULT_RETURN_WINDOW_DAYS

__all__ = ["DATA_DIR", "LOCAL_STRIPE_KEY", "LOCAL_STRIPE_PORT", "Settings"]

API_PORT = 8000  # the HTTP order API's, as the original design serves it
ALWAYS_UNSERVED = frozenset({"AQ"})  # no carrier ships to Antarctica


class Settings(PaymentSettings, AccessSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DATA_DIR / 'orders.db'}",
        description="SQLAlchemy URL; postgresql:// URLs are served by psycopg",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Send order events to loopback, private and link-local addresses, and "
        "over plain http (an internal or dev deployment; `order-saga dev` sets it)",
    )
    order_deadline_seconds: int = Field(
        default=DEFAULT_DEADLINE_SECONDS,
        ge=MIN_DEADLINE_SECONDS,
        le=MAX_DEADLINE_SECONDS,
        description="An order's business deadline unless it names one: a saga whose shipment "
        "is not booked by then is undone and ends EXPIRED",
    )
    review_within_seconds: int = Field(
        default=4 * 3600,
        ge=60,
        le=7 * 86400,
        description="How long an order the risk rules held waits for a person's approve or "
        "decline (`order-saga review`) before it is declined and undone",
    )
    operator_email: EmailStr | None = Field(
        default=None,
        description="Where an operator is told of a bank's dispute of a charge, and reminded "
        "before its evidence is due (OPERATOR_EMAIL); unset, the worker's log and the order "
        "events tell it",
    )
    return_window_days: int = Field(
        default=DEFAULT_RETURN_WINDOW_DAYS,
        ge=0,
        le=365,
        description="How many days after the carrier takes an order its items may be returned",
    )
    payload_keys: SecretStr | None = Field(
        default=None,
        description="Encrypt payloads (AES-GCM): id:base64key,... the first encrypts, all "
        "decrypt (python -c 'from order_saga.codec import new_key; print(new_key())')",
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

    unserved_from: Annotated[dict[str, frozenset[str]], NoDecode] = Field(
        default_factory=dict,
        description="Countries the carrier refuses from a warehouse: east:CA,MX;west:GB",
    )

    @field_validator("unserved_from", mode="before")
    @classmethod
    def _parse_routes(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        routes: dict[str, frozenset[str]] = {}
        for route in filter(None, (part.strip() for part in value.split(";"))):
            warehouse, _, codes = route.partition(":")
            if not warehouse.strip() or not codes.strip():
                raise ValueError(f"{route!r}: say WAREHOUSE:COUNTRY,COUNTRY")
            routes[warehouse.strip()] = frozenset(c.strip().upper() for c in codes.split(","))
        return routes

    @field_validator("unserved_countries", mode="before")
    @classmethod
    def _parse_countries(cls, value: object) -> object:
        codes = value.split(",") if isinstance(value, str) else value
        if not isinstance(codes, list | set | frozenset | tuple):
            return value  # let pydantic report the wrong type
        return frozenset(str(c).strip().upper() for c in codes if str(c).strip()) | ALWAYS_UNSERVED

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
