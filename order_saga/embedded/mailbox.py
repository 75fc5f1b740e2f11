"""`order-saga dev`'s mail server: a local SMTP server (aiosmtpd) that keeps every message it
receives as a file in `.data/mail/`, one `.eml` per delivery, so a person can read what the
customers were sent and a test can count it."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

LOCAL_SMTP_PORT = 1025  # the port local mail catchers use


class Mailbox:
    """The aiosmtpd handler: each delivery becomes a file. Faults, for tests and trials:
    `refuse_next` answers the next deliveries with a temporary failure (451), as a server
    under load does; `lose_answer_next` keeps the next ones but drops the connection before
    answering, as a network cut does (the sender cannot know the mail arrived); addresses in
    `rejected` are refused for good (550)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.refuse_next = 0
        self.refused = 0
        self.lose_answer_next = 0
        self.rejected: set[str] = set()
        self._numbers = itertools.count(len(list(directory.glob("*.eml"))) + 1)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        """Take the recipient, unless it is one to refuse for good."""
        if address.lower() in self.rejected:
            return f"550 5.1.1 <{address}>: Recipient address rejected"  # as Postfix says it
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message (written whole, then renamed: a reader never sees half)."""
        if self.refuse_next > 0:
            self.refuse_next -= 1
            self.refused += 1
            recipients = ", ".join(f"<{rcpt}>" for rcpt in envelope.rcpt_tos)
            return f"451 4.3.0 {recipients}: Mailbox busy, try again later"
        path = self.directory / f"{next(self._numbers):06d}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, path)
        if self.lose_answer_next > 0:
            self.lose_answer_next -= 1
            server.transport.close()  # kept, but the sender never hears so
        return "250 2.0.0 Message accepted"

    def messages(self) -> list[EmailMessage]:
        """Every message received, oldest first."""
        return [read_mail(path) for path in sorted(self.directory.glob("*.eml"))]


def read_mail(path: Path) -> EmailMessage:
    """One kept message, parsed."""
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@contextmanager
def local_mail_server(
    directory: Path, *, host: str = "127.0.0.1", port: int = LOCAL_SMTP_PORT
) -> Iterator[tuple[Mailbox, str]]:
    """Serve SMTP on host:port (no TLS, no credentials: local use only); yields the mailbox
    and the SMTP_URL that reaches it."""
    mailbox = Mailbox(directory)
    controller = Controller(mailbox, hostname=host, port=port)
    controller.start()
    try:
        yield mailbox, f"smtp://{host}:{port}"
    finally:
        controller.stop()
