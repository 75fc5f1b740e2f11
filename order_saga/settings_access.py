"""Who may call the HTTP API and how often: tokens, roles, the rate limit, the codec's
origins."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class AccessSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    codec_origins: Annotated[list[str], NoDecode] = Field(
        default=["http://localhost:8233", "http://127.0.0.1:8233"],
        description="Web UI origins allowed to call the codec endpoint (comma-separated)",
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
    carrier_webhook_secret: SecretStr | None = Field(
        default=None,
        description="The secret the carrier signs its webhook events with (POST "
        "/webhooks/carrier: a returned parcel delivered); unset, the endpoint answers 503",
    )
    rate_limit_storage_url: SecretStr | None = Field(
        default=None,
        description="Where the API's replicas keep the rate limit's counts, shared "
        "(redis://[:password@]host:6379/0, rediss:// with TLS); unset, each process counts "
        "alone (memory://), so N replicas allow N times ORDER_RATE_LIMIT",
    )

    @property
    def carrier_secret(self) -> str | None:
        """The secret the carrier's events are verified with, if one is set."""
        secret = self.carrier_webhook_secret
        return secret.get_secret_value() if secret else None

    @field_validator("codec_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        return (
            [o.strip() for o in value.split(",") if o.strip()] if isinstance(value, str) else value
        )

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

    @model_validator(mode="after")
    def _jwt_settings_together(self) -> AccessSettings:
        if self.auth_jwks_url and not (self.auth_issuer and self.auth_audience):
            raise ValueError("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE")
        return self
