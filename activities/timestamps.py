"""Timestamps of every service's rows: timezone-aware UTC, set by the application."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field

JSON_DOCUMENT = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Timestamps are timezone-aware UTC."""
    return datetime.now(UTC)


def timestamp() -> Any:
    """A non-null timestamp column that defaults to now."""
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
