"""The SMTP server mails go through, from one URL, and a send that says whether to retry.

`smtp://host:587` upgrades to TLS when the server offers it, and requires it when the URL
carries credentials (a password never crosses the network in clear); `smtps://host:465` is
TLS from the first byte. `?starttls=no` allows a plain connection with credentials (a relay
on localhost); `?cafile=/path/ca.pem` trusts a private relay's certificate authority.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

SEND_TIMEOUT_SECONDS = 30.0


class MailRejected(Exception):
    """The server refused the mail for good (a 5xx reply to its sender, recipient or body):
    sending it again cannot help."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    start_tls: bool | None = None  # None: when offered
    cafile: str | None = None  # a private CA to trust; None: the system's

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """Parse `smtp[s]://[user:password@]host[:port][?starttls=no]`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError("must be an smtp:// or smtps:// URL")
        if not parts.hostname:
            raise ValueError("names no host")
        implicit = parts.scheme == "smtps"
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        allow_plain = query.get("starttls", [""])[0].lower() in ("no", "false", "0")
        start_tls: bool | None = None
        if not implicit and username and not allow_plain:
            start_tls = True
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            username=username,
            password=password,
            implicit_tls=implicit,
            start_tls=start_tls,
            cafile=query.get("cafile", [None])[0],
        )

    async def send(self, message: EmailMessage) -> None:
        """Send `message`; MailRejected when the server refuses it for good, any other
        error (unreachable, 4xx, a timeout, bad credentials) is worth another try."""
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.implicit_tls,
                start_tls=self.start_tls,
                cert_bundle=self.cafile,
                timeout=SEND_TIMEOUT_SECONDS,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            if all(500 <= refused.code < 600 for refused in err.recipients):
                codes = ", ".join(str(refused.code) for refused in err.recipients)
                raise MailRejected(f"the recipient was refused ({codes})") from err
            raise
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPDataError) as err:
            if 500 <= err.code < 600:
                raise MailRejected(f"the server refused the mail ({err.code})") from err
            raise
