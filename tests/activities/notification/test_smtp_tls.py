"""The mail path as production runs it: STARTTLS and credentials against a real SMTP server
(aiosmtpd with a certificate of its own CA); a password never crosses in clear."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.notification.activities import MAIL_DEFERRED, NotificationActivities
from activities.notification.mailer import SmtpServer
from order_saga.embedded.mailbox import Mailbox, local_mail_server
from tests.activities.notification.test_send_order_mail import MAIL, SENDER
from tests.ports import free_port


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, its own CA, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relay.test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def only_shop(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    """The relay's one account."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"s3cret")
    return AuthResult(success=ok)


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    """An SMTP relay that requires STARTTLS before anything and a login before mail."""
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox(tmp_path / "mail")
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        authenticator=only_shop,
    )
    controller.start()
    try:
        yield mailbox, port, cert
    finally:
        controller.stop()


async def send(url: str) -> object:
    activities = NotificationActivities(SmtpServer.from_url(url), sender=SENDER)
    return await ActivityEnvironment().run(activities.send_order_mail, MAIL)


async def test_credentials_go_over_starttls_to_a_relay_that_requires_them(relay) -> None:
    mailbox, port, cert = relay
    await send(f"smtp://shop:s3cret@127.0.0.1:{port}?cafile={cert}")
    [message] = mailbox.messages()
    assert message["Message-ID"] == "<order-o-1.confirmed@shop.example>"


async def test_an_untrusted_certificate_is_refused(relay) -> None:
    _, port, _ = relay
    with pytest.raises(ApplicationError) as raised:  # the system's CAs do not know it
        await send(f"smtp://shop:s3cret@127.0.0.1:{port}")
    assert raised.value.type == MAIL_DEFERRED


async def test_a_password_is_never_sent_to_a_server_without_tls(tmp_path: Path) -> None:
    with local_mail_server(tmp_path / "mail", port=free_port()) as (mailbox, url):
        with pytest.raises(ApplicationError) as raised:
            await send(url.replace("smtp://", "smtp://shop:s3cret@"))
        assert "STARTTLS" in str(raised.value) or "TLS" in str(raised.value)
        assert mailbox.messages() == []
