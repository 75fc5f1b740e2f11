"""The embedded stack: Temporal dev server, local Stripe and mail servers, migrated database,
worker. Its ports, and the wait for Temporal to answer, are ports.py."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine
from temporalio.client import Client

from activities.inventory.catalogue import seed_catalogue
from order_saga.db.engine import display_url, make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.dev_keys import dev_keys
from order_saga.embedded.local_stripe.faults import Faults
from order_saga.embedded.local_stripe.serving import start as start_local_stripe
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.local_stripe.webhooks import WebhookEndpoint
from order_saga.embedded.mailbox import LOCAL_SMTP_PORT, local_mail_server
from order_saga.embedded.ports import port_open, refuse_held_ports, wait_for_temporal
from order_saga.embedded.temporal_server import supervised_dev_server
from order_saga.settings import DATA_DIR, LOCAL_STRIPE_PORT, Settings
from order_saga.visibility import register_search_attributes
from order_saga.worker_group import build_worker


@dataclass
class Endpoints:
    temporal: str
    web_ui: str | None = None
    stripe: str | None = None
    mail: str | None = None  # where the customers' mails can be read
    database: str = ""
    started: list[str] = field(default_factory=list)
    api_keys: dict[str, str] = field(default_factory=dict)  # role -> the stack's API key
    # Set, with the reason, if a part it started died for good (the dev server, after
    # restarts); None when it started none.
    gave_up: asyncio.Future[str] | None = None


@contextlib.asynccontextmanager
async def local_stripe(
    port: int = LOCAL_STRIPE_PORT,
    *,
    host: str = "127.0.0.1",
    faults: str | None = None,
    state_file: Path | None = None,
    webhook: WebhookEndpoint | None = None,
) -> AsyncIterator[str]:
    """Serve the local Stripe-compatible API; state survives restarts through `state_file`;
    with `webhook`, its events are sent there."""
    state = LocalStripe(faults=Faults.parse(faults), state_file=state_file, webhook=webhook)
    runner, base_url = await start_local_stripe(state, host, port)
    try:
        yield base_url
    finally:
        await runner.cleanup()
        state.close()


def with_local_webhooks(settings: Settings, api_port: int) -> Settings:
    """Settings in which the local Stripe server sends its events to this process's order API,
    signed with STRIPE_WEBHOOK_SECRET or, unset, a secret made for this run (the API verifies
    with the same one), unless payments go to Stripe itself; and in which order events may
    go to subscribers on this machine (a dev stack: WEBHOOK_ALLOW_PRIVATE_TARGETS)."""
    settings = settings.model_copy(update={"webhook_allow_private_targets": True})
    if not settings.uses_local_stripe or settings.stripe_api_base is not None:
        return settings
    secret = settings.webhook_secret or f"whsec_{secrets.token_hex(24)}"
    url = settings.stripe_webhook_url or f"http://127.0.0.1:{api_port}/webhooks/stripe"
    return settings.model_copy(
        update={"stripe_webhook_secret": SecretStr(secret), "stripe_webhook_url": url}
    )


def webhook_endpoint(settings: Settings) -> WebhookEndpoint | None:
    """Where the local Stripe server sends its events, if anywhere."""
    secret, url = settings.webhook_secret, settings.stripe_webhook_url
    return WebhookEndpoint(url, secret) if secret and url else None


def prepare_database(engine: Engine, *, seed: bool = True) -> None:
    """Migrate the database and, unless told not to, seed the demo catalogue."""
    upgrade(engine)
    if seed:
        seed_catalogue(engine)


@contextlib.asynccontextmanager
async def embedded_stack(
    settings: Settings,
    *,
    with_worker: bool = True,
    reuse_running: bool = False,
    address: str = "127.0.0.1:7233",
    codec_endpoint: str | None = None,
) -> AsyncIterator[tuple[Client, Endpoints]]:
    """Bring up what is missing, yield a connected client, and stop what was started."""
    engine = make_engine(settings.database_url)  # the process's one engine
    host, _, port = address.rpartition(":")
    local_stripe_wanted = settings.uses_local_stripe and settings.stripe_api_base is None
    local_mail_wanted = settings.smtp_url is None
    if not reuse_running:
        ports = {int(port): "the Temporal frontend", int(port) + 1000: "the Temporal Web UI"}
        if local_stripe_wanted:
            ports[LOCAL_STRIPE_PORT] = "the local Stripe server"
        if local_mail_wanted:
            ports[LOCAL_SMTP_PORT] = "the local mail server"
        refuse_held_ports(ports)
    endpoints = Endpoints(temporal=address, database=display_url(settings.database_url))
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(engine.dispose)
        prepare_database(engine)
        endpoints.api_keys = {str(role): key for role, key in dev_keys(engine).items()}
        if local_stripe_wanted:
            endpoints.stripe = f"http://127.0.0.1:{LOCAL_STRIPE_PORT}"
            if not (reuse_running and port_open("127.0.0.1", LOCAL_STRIPE_PORT)):
                await stack.enter_async_context(
                    local_stripe(
                        faults=settings.stripe_faults,
                        state_file=settings.stripe_state_file,
                        webhook=webhook_endpoint(settings),
                    )
                )
                endpoints.started.append("stripe")
        if local_mail_wanted:
            mail_dir = DATA_DIR / "mail"
            endpoints.mail = f"{mail_dir}/ (SMTP on 127.0.0.1:{LOCAL_SMTP_PORT})"
            settings = settings.model_copy(
                update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{LOCAL_SMTP_PORT}")}
            )
            if not (reuse_running and port_open("127.0.0.1", LOCAL_SMTP_PORT)):
                stack.enter_context(local_mail_server(mail_dir))
                endpoints.started.append("mail")
        if not (reuse_running and port_open(host or "127.0.0.1", int(port))):
            server = await stack.enter_async_context(
                supervised_dev_server(
                    port=int(port),
                    ui_port=int(port) + 1000,
                    db_file=DATA_DIR / "temporal.db",
                    log_file=DATA_DIR / "temporal.log",
                    codec_endpoint=codec_endpoint,
                )
            )
            endpoints.started.append("temporal")
            endpoints.gave_up = server.gave_up
        endpoints.web_ui = f"http://localhost:{int(port) + 1000}"
        client = await wait_for_temporal(
            address, tracing=settings.tracing, codec=settings.payload_codec()
        )
        await register_search_attributes(client)  # a stack found running may predate them
        if with_worker:
            await stack.enter_async_context(build_worker(client, settings=settings, engine=engine))
            endpoints.started.append("worker")
        yield client, endpoints
