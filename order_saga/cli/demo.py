"""`order-saga demo`: sample orders down every path, on a running stack or one it starts."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated

import typer

from order_saga.cli import CliError
from order_saga.cli.dev import print_endpoints, until_interrupted
from order_saga.interrupts import quitting_on_interrupt
from order_saga.settings import API_PORT, Settings


def demo(
    stay: Annotated[
        bool, typer.Option("--stay/--exit", help="Keep a stack the demo started up for the Web UI")
    ] = True,
) -> None:
    """Send sample orders down every path and print their outcomes (uses a running stack;
    one it starts serves what `dev` serves, the HTTP order API included)."""
    for noisy in ("temporalio.activity", "temporalio.workflow"):
        logging.getLogger(noisy).setLevel(logging.ERROR)  # the table tells the failures

    with quitting_on_interrupt():  # the stack's modules: nothing runs yet
        from order_saga.api.serving import api_server, listening_socket
        from order_saga.cli.demo_orders import run_demo
        from order_saga.embedded.ports import port_open
        from order_saga.embedded.stack import embedded_stack, with_local_webhooks

    settings = with_local_webhooks(Settings(), API_PORT)

    async def run() -> bool:
        """The demo; True when a Ctrl-C (or SIGTERM) ended the stack it left up."""
        interrupted = False
        async with embedded_stack(settings, reuse_running=True) as (client, endpoints):
            serving: asyncio.Task[None] | None = None
            if "temporal" in endpoints.started and not port_open("127.0.0.1", API_PORT):
                server = api_server(
                    client,
                    settings,
                    embedded=True,
                    serve_codec=True,
                    eager_start=settings.placement == "colocated",
                )
                sock = listening_socket("127.0.0.1", API_PORT)
                serving = asyncio.create_task(server.serve(sockets=[sock]))
            print_endpoints(endpoints, settings.queue_prefix)
            api = f"http://127.0.0.1:{API_PORT}/api/orders (docs: /docs)"
            if serving is None:
                api = (
                    f"{api}, the running stack's"
                    if port_open("127.0.0.1", API_PORT)
                    else "not running (`order-saga api` serves it)"
                )
            typer.echo(f"Order API          {api}")
            try:
                await run_demo(client, settings, endpoints)
                if stay and "temporal" in endpoints.started:
                    typer.echo("The stack stays up so you can explore it; Ctrl-C stops it.")
                    failure = await until_interrupted(endpoints.gave_up)
                    if failure:
                        raise CliError(f"{failure}; stopped everything")
                    interrupted = True
            finally:
                if serving is not None:
                    server.should_exit = True
                    await serving
        return interrupted

    if asyncio.run(run()):
        sys.exit(130)  # stopped by Ctrl-C, as at any other moment of the demo
