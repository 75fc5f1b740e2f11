"""API keys for a storefront backend without an identity provider: shown once, stored only as
a hash with their name, role and times, revoked by name.

A key is 256 random bits, so one SHA-256 is enough to make the stored hash useless to a thief
(a slow password hash defends guessable secrets; nothing here is guessable) and lets a request
find its key by an indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime
from sqlmodel import Field, Session, SQLModel, col, select

from activities.timestamps import timestamp, utcnow
from order_saga.access.roles import Role

PREFIX = "osk_"  # recognisable in a leak scanner, and apart from a JWT
TOUCH_EVERY = timedelta(minutes=1)  # last-use is a write: at most one a minute per key


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    name: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=16)
    key_hash: str = Field(unique=True, index=True, max_length=64)
    shown_prefix: str = Field(max_length=12)  # enough to tell keys apart in a list
    created_at: datetime = timestamp()
    last_used_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class KeyExists(ValueError):
    """A key of that name exists (revoked or not: names stay unique in the record)."""


def hash_of(key: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def looks_like_key(token: str) -> bool:
    """An API key, not a JWT."""
    return token.startswith(PREFIX)


def create(*, session: Session, name: str, role: Role) -> str:
    """A new key for `name`; the key itself is returned once and never stored."""
    if session.get(ApiKey, name) is not None:
        raise KeyExists(f"an API key named {name!r} exists; pick another name or revoke it")
    key = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, role=role.value, key_hash=hash_of(key), shown_prefix=key[:10]))
    return key


def find_active(*, session: Session, key: str) -> ApiKey | None:
    """The unrevoked key a request presents, its last use recorded (at most once a minute)."""
    row = session.exec(select(ApiKey).where(col(ApiKey.key_hash) == hash_of(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - utc(row.last_used_at) >= TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
    return row


def listed(*, session: Session) -> list[ApiKey]:
    """Every key, revoked ones included, oldest first."""
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.created_at))).all())


def revoke(*, session: Session, name: str) -> bool:
    """Refuse `name`'s key from now on; False when there is no such active key."""
    row = session.get(ApiKey, name)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.add(row)
    return True


def utc(moment: datetime) -> datetime:
    """A stored time, timezone-aware (SQLite hands back naive ones; every stored time is UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
