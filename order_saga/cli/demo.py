"""`order-saga demo`: sample orders down every path, on a running stack or one it starts."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from order_saga.cli import CliError
from order_saga.cli.dev import until_interrupted
from order_saga.settings import Settings


def demo(
    stay: Annotated[
        bool, typer.Option("--stay/--exit", help="Keep a stack the demo started up for the Web UI")
    ] = True,
) -> None:
    """Send sample orders down every path and print their outcomes (uses a running stack)."""
    for noisy in ("temporalio.activity", "temporalio.workflow"):
        logging.getLogger(noisy).setLevel(logging.ERROR)  # the table tells the failures

    from order_saga.cli.demo_orders import run_demo
    from order_saga.embedded.stack import embedded_stack

    settings = Settings()

    async def run() -> None:
        async with embedded_stack(settings, reuse_running=True) as (client, endpoints):
            await run_demo(client, settings, endpoints)
            if stay and "temporal" in endpoints.started:
                typer.echo("The stack stays up so you can explore the Web UI; Ctrl-C stops it.")
                failure = await until_interrupted(endpoints.gave_up)
                if failure:
                    raise CliError(f"{failure}; stopped everything")

    asyncio.run(run())
