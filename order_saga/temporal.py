"""Connecting to Temporal: envconfig profiles and variables, always the pydantic converter."""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from temporalio.client import Client
from temporalio.converter import PayloadCodec
from temporalio.envconfig import ClientConfigProfile
from temporalio.runtime import Runtime

from order_saga.converter import data_converter
from order_saga.settings import Settings

# host:port, the host a name, an IPv4 address or a bracketed IPv6 one.
ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}")


async def connect(
    address: str | None = None,
    *,
    namespace: str | None = None,
    profile: str | None = None,
    runtime: Runtime | None = None,
    tracing: bool = False,
    codec: PayloadCodec | None = None,
) -> Client:
    """TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS and profiles all apply;
    an explicit address or namespace wins over them."""
    config = connect_config(address, namespace=namespace, profile=profile)
    target = config["target_host"]
    if not ADDRESS.fullmatch(target):
        raise TemporalConfigError(f"Temporal address {target!r}: expected host:port")
    interceptors = []
    if tracing:
        from order_saga.tracing import tracing_interceptor

        interceptors.append(tracing_interceptor())
    config.setdefault("identity", process_identity())
    try:
        return await Client.connect(
            **config,
            data_converter=data_converter(payload_codec=codec),
            runtime=runtime or Runtime.default(),
            interceptors=interceptors,  # a worker built on this client traces too
        )
    except ValueError as err:
        raise TemporalConfigError(f"Temporal address {target!r}: {err}") from err
    except RuntimeError as err:
        raise TemporalUnreachable(f"cannot reach Temporal at {target}: {reason(err)}") from err


def process_identity() -> str:
    """Who this client is in a workflow's history: the program and its command, the process
    and the host (`order-saga api 4242@web-1`), as the SDK's default names only the last two."""
    program = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"]
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        program.append(sys.argv[1])  # the subcommand; never an option, which may hold a value
    return f"{' '.join(program)} {os.getpid()}@{socket.gethostname()}"


def connect_config(
    address: str | None = None, *, namespace: str | None = None, profile: str | None = None
) -> dict[str, Any]:
    """Where `connect` would connect, and as whom: envconfig with the explicit choices on top."""
    try:
        config = ClientConfigProfile.load(profile=profile).to_client_connect_config()
    except RuntimeError as err:  # the SDK's ConfigError: no such profile, a broken file
        raise TemporalConfigError(f"Temporal configuration: {err}") from err
    config.setdefault("target_host", "localhost:7233")
    config.setdefault("namespace", "default")
    if address:
        config["target_host"] = address
    if namespace:
        config["namespace"] = namespace
    return dict(config)


def reason(err: RuntimeError) -> str:
    """The cause in a connection error's nested transport text, in a few words."""
    text = str(err)
    for marker, said in (
        ("Connection refused", "connection refused"),
        ("dns error", "the host name does not resolve"),
        ("timed out", "timed out"),
    ):
        if marker in text:
            return said
    return text.splitlines()[0][:300]


async def connect_for(
    settings: Settings,
    address: str | None = None,
    *,
    namespace: str | None = None,
    profile: str | None = None,
    runtime: Runtime | None = None,
    reader: bool = True,
) -> Client:
    """`connect` as every command and the worker do it: tracing and the payload codec from
    `settings` (a worker is no `reader`: see `Settings.payload_codec`)."""
    return await connect(
        address,
        namespace=namespace,
        profile=profile,
        runtime=runtime,
        tracing=settings.tracing,
        codec=settings.payload_codec(reader=reader),
    )


class TemporalConfigError(ValueError):
    """The Temporal settings themselves are wrong (address, profile); retrying cannot help."""


class TemporalUnreachable(RuntimeError):
    """The frontend did not answer; the message names the address that was tried."""


def run_then_exit(entry_point: Callable[[], object]) -> NoReturn:
    """Run a console entry point, then leave without interpreter teardown.

    The SDK's native (Tokio) threads can call into Python while the interpreter finalizes
    and abort the process with "PyGILState_Release: thread state ... must be current"
    (temporalio/sdk-python#300), turning a finished command into exit code -6. Once the
    command is done and its output flushed, there is nothing left to tear down.
    """
    code: int = 0
    try:
        entry_point()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except KeyboardInterrupt:
        code = 130
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)
