"""Roles and what each may do: one table, read by every route."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A caller's role: a token's claim or an API key's."""

    CUSTOMER = "customer"  # one customer's own orders, no one else's
    STOREFRONT = "storefront"  # a shop's backend: serves many customers
    OPERATOR = "operator"  # everything, settling failed undos and decrypting payloads too


class Action(StrEnum):
    """What a request does."""

    CREATE = "create"
    READ = "read"
    LIST = "list"
    CANCEL = "cancel"
    AMEND = "amend"  # a new shipping address before pickup
    RETURN = "return items of"  # open a return ("may not return items of orders")
    RESOLVE = "resolve"
    REVIEW = "review"  # approve or decline an order the risk rules hold
    DECODE = "decode"  # the Web UI's codec endpoint
    SUBSCRIBE = (
        "subscribe others to"  # order events' webhooks ("may not subscribe others to orders")
    )


MAY: dict[Role, frozenset[Action]] = {
    Role.CUSTOMER: frozenset(
        {Action.CREATE, Action.READ, Action.LIST, Action.CANCEL, Action.AMEND, Action.RETURN}
    ),
    Role.STOREFRONT: frozenset(
        {Action.CREATE, Action.READ, Action.LIST, Action.CANCEL, Action.AMEND, Action.RETURN}
    ),
    Role.OPERATOR: frozenset(Action),
}


@dataclass(frozen=True)
class Caller:
    """Who sent a request, as their credentials prove it."""

    name: str  # what the record shows: a token's subject, an API key's name
    role: Role
    via: str  # "jwt", "api-key", or "none" with authentication disabled

    def may(self, action: Action) -> bool:
        """Whether the role allows `action` at all (a customer's is then narrowed to theirs)."""
        return action in MAY[self.role]

    @property
    def customer_id(self) -> str | None:
        """The one customer whose orders this caller may touch; None: any customer's."""
        return self.name if self.role == Role.CUSTOMER else None

    @property
    def label(self) -> str:
        """How the record names the caller: `api-key:web-shop`, `jwt:alice`."""
        return f"{self.via}:{self.name}"


def strongest(names: list[str]) -> Role | None:
    """The most capable known role among a token's claimed ones (unknown ones are ignored)."""
    known = [Role(n) for n in names if n in {r.value for r in Role}]
    order = list(Role)
    return max(known, key=order.index) if known else None
