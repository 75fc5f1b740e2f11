"""Where a subscriber's URL really goes: checked at registration and at every delivery, after
DNS, so an operator's key cannot turn the worker into a scanner of the network it sits in
(OWASP's SSRF prevention: no loopback, link-local, private, multicast or unspecified target
unless the deployment allows private ones; https alone otherwise; no redirects)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL, or an address its host resolves to, is not one events may be sent to."""


def why_not_public(address: Address) -> str | None:
    """Why an address is no public target (None when it is one), looking through the IPv6
    forms that carry an IPv4 address (mapped, 6to4, Teredo)."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is not None:
            return why_not_public(inner)
    for kind, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
    ):
        if flag:
            return kind
    return None if address.is_global else "non-public"


@dataclass(frozen=True)
class TargetPolicy:
    """Which subscriber URLs a deployment sends to. `allow_private`: an internal or dev
    deployment (`WEBHOOK_ALLOW_PRIVATE_TARGETS`) that sends to its own network, over http too."""

    allow_private: bool = False

    def check_form(self, url: str) -> str:
        """An http(s) URL with a host: https alone unless private targets are allowed."""
        parts = urlsplit(url)
        schemes = ("http", "https") if self.allow_private else ("https",)
        if parts.scheme not in schemes or not parts.hostname:
            raise TargetRefused(
                f"must be an {' or '.join(f'{s}://' for s in schemes)} URL with a host"
            )
        return url

    def check_url(self, url: str) -> str:
        """The URL's form, and its host when that is an address literal (a connection to
        one asks no resolver); a name is checked as it resolves."""
        host = urlsplit(self.check_form(url)).hostname or ""
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            return url
        self.check_address(literal)
        return url

    def check_address(self, address: Address) -> None:
        """Refuse an address that is no public target, unless private ones are allowed."""
        why = None if self.allow_private else why_not_public(address)
        if why is not None:
            raise TargetRefused(f"its host resolves to a {why} address; events go to public ones")

    def check_resolved(self, url: str) -> str:
        """The URL's form, and every address its host resolves to now (at registration)."""
        host = urlsplit(self.check_url(url)).hostname or ""
        try:
            found = socket.getaddrinfo(host, None)
        except OSError as err:
            raise TargetRefused("its host does not resolve") from err
        for *_, sockaddr in found:
            self.check_address(ipaddress.ip_address(sockaddr[0]))
        return url

    def connector(self) -> aiohttp.TCPConnector:
        """A connector that connects only to addresses this policy allows: the addresses
        it checks are the ones it connects to, so a DNS answer that changes between the
        check and the connection (rebinding) cannot slip through."""
        return aiohttp.TCPConnector(resolver=_CheckedResolver(self), use_dns_cache=False)


class _CheckedResolver(AbstractResolver):
    """The system resolver, its every answer checked by the policy."""

    def __init__(self, policy: TargetPolicy) -> None:
        self._policy = policy
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for entry in found:
            self._policy.check_address(ipaddress.ip_address(entry["host"]))
        return found

    async def close(self) -> None:
        await self._inner.close()
