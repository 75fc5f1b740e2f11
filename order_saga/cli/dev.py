"""`order-saga dev` and `stripe-server`: the embedded stack, or its Stripe server, in the
foreground."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from order_saga.cli import CliError
from order_saga.interrupts import quitting_on_interrupt
from order_saga.settings import API_PORT, LOCAL_STRIPE_PORT, Settings
from workflows.placement import PLACEMENTS

if TYPE_CHECKING:
    from order_saga.embedded.stack import Endpoints

# The stack's modules (worker, Stripe SDK, SQLAlchemy) load inside the commands that use
# them, so `order-saga start` and `status` answer without paying for them.


async def until_interrupted(failure: asyncio.Future[str] | None = None) -> str | None:
    """Wait for Ctrl-C or SIGTERM, or for `failure`: None, or what failed."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(stop.wait())}
    if failure is not None:
        waits.add(failure)
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    return failure.result() if failure is not None and failure.done() else None


def print_endpoints(endpoints: Endpoints, queue_prefix: str) -> None:
    """Tell the person at the terminal where everything is."""
    typer.echo(f"Temporal frontend  {endpoints.temporal}")
    typer.echo(f"Temporal Web UI    {endpoints.web_ui}")
    typer.echo(f"Stripe API         {endpoints.stripe or 'api.stripe.com (STRIPE_API_KEY)'}")
    typer.echo(f"Database           {endpoints.database}")
    typer.echo(f"Customer mails     {endpoints.mail or 'sent through SMTP_URL'}")
    worker = "running here" if "worker" in endpoints.started else "not started (--no-worker)"
    typer.echo(f"Worker             {worker}, task queues {queue_prefix}-*")
    for role, key in endpoints.api_keys.items():
        typer.echo(f"{role.capitalize() + ' key':<18} {key}")
    if endpoints.api_keys:
        from order_saga.embedded.dev_keys import KEYS_FILE

        typer.echo(f"                   (also in {KEYS_FILE}: `source` it for the README's curls)")


def dev(
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Run a worker in-process")
    ] = True,
    stripe_faults: Annotated[
        str | None,
        typer.Option(help="Faults for the local Stripe server, e.g. 'http_500=0.1,latency_ms=50'"),
    ] = None,
    api_port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port of the HTTP order API")
    ] = API_PORT,
    placement: Annotated[
        str | None,
        typer.Option(
            help="colocated: every step in the worker (PLACEMENT; default); or per-service"
        ),
    ] = None,
) -> None:
    """Run the embedded stack until Ctrl-C: dev server + Web UI, local Stripe, database, worker,
    HTTP order API."""

    with quitting_on_interrupt():  # the stack's modules: nothing runs yet
        from order_saga.api.serving import api_server, listening_socket
        from order_saga.embedded.local_stripe.faults import Faults
        from order_saga.embedded.stack import embedded_stack, with_local_webhooks

    settings = Settings()
    if placement is not None:
        if placement not in PLACEMENTS:
            raise CliError(f"--placement {placement!r}: expected one of {', '.join(PLACEMENTS)}")
        settings = settings.model_copy(update={"placement": placement})
    if stripe_faults is not None:
        settings = settings.model_copy(update={"stripe_faults": stripe_faults})
    Faults.parse(settings.stripe_faults)  # a typo is reported before anything starts
    settings = with_local_webhooks(settings, api_port)  # local Stripe -> this API's webhook
    api_socket = listening_socket("127.0.0.1", api_port)

    async def run() -> None:
        codec = f"http://127.0.0.1:{api_port}/codec" if settings.payload_keys else None
        async with embedded_stack(settings, with_worker=worker, codec_endpoint=codec) as (
            client,
            endpoints,
        ):
            eager = worker and settings.placement == "colocated"  # its worker is in-process
            server = api_server(
                client, settings, embedded=True, serve_codec=True, eager_start=eager
            )
            serving = asyncio.create_task(server.serve(sockets=[api_socket]))
            print_endpoints(endpoints, settings.queue_prefix)
            typer.echo(f"Order API          http://127.0.0.1:{api_port}/api/orders (docs: /docs)")
            typer.echo("Ready. Ctrl-C stops everything.")
            failure = await until_interrupted(endpoints.gave_up)
            server.should_exit = True
            await serving
        if failure:
            raise CliError(f"{failure}; stopped everything")
        typer.echo("Stopped.")

    asyncio.run(run())


def stripe_server(
    port: Annotated[int, typer.Option()] = LOCAL_STRIPE_PORT,
    host: Annotated[str, typer.Option(help="0.0.0.0 inside a container")] = "127.0.0.1",
    state_file: Annotated[
        Path | None, typer.Option(help="Keep state here across restarts (STRIPE_STATE_FILE)")
    ] = None,
    repair: Annotated[
        bool,
        typer.Option(
            help="Set a damaged journal's bad lines aside (in a file beside it) and start with "
            "the good ones; what the bad lines recorded is lost"
        ),
    ] = False,
) -> None:
    """Run only the local Stripe-compatible server until Ctrl-C (faults from STRIPE_FAULTS;
    events sent to STRIPE_WEBHOOK_URL, signed with STRIPE_WEBHOOK_SECRET)."""
    from order_saga.embedded.local_stripe import journal
    from order_saga.embedded.local_stripe.faults import Faults
    from order_saga.embedded.stack import local_stripe, webhook_endpoint

    settings = Settings()
    if settings.stripe_webhook_url and not settings.webhook_secret:
        raise CliError("STRIPE_WEBHOOK_URL needs STRIPE_WEBHOOK_SECRET to sign the events")
    Faults.parse(settings.stripe_faults)  # a typo is reported before anything starts
    state_file = state_file or settings.stripe_state_file
    if repair and state_file is not None and state_file.exists():
        aside = journal.repair(state_file)
        typer.echo(f"bad journal lines set aside in {aside}" if aside else "journal is whole")

    async def run() -> None:
        async with local_stripe(
            port,
            host=host,
            faults=settings.stripe_faults,
            state_file=state_file,
            webhook=webhook_endpoint(settings),
        ) as base_url:
            typer.echo(f"Stripe-compatible API on {base_url}")
            if settings.stripe_webhook_url:
                typer.echo(f"Sending webhooks to {settings.stripe_webhook_url}")
            if settings.stripe_faults:
                typer.echo(f"Injecting faults: {settings.stripe_faults}")
            with contextlib.suppress(asyncio.CancelledError):
                await until_interrupted()

    asyncio.run(run())
