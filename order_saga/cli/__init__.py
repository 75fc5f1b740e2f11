"""The starter CLI, `order-saga`: run the embedded stack, start and inspect sagas."""

from __future__ import annotations

import functools
import getpass
import inspect
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from temporalio.service import RPCError

from order_saga import help_format
from order_saga.client import OrderError
from order_saga.field_errors import describe_validation_error

if TYPE_CHECKING:
    from temporalio.client import Client

    from order_saga.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

# Where a command finds Temporal: envconfig (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, a profile
# in temporal.toml), unless these say otherwise.
TEMPORAL_OPTIONS = {
    "address": Annotated[
        str | None, typer.Option(help="Temporal host:port; default from envconfig (localhost:7233)")
    ],
    "namespace": Annotated[
        str | None, typer.Option(help="Temporal namespace; default from envconfig (default)")
    ],
    "profile": Annotated[
        str | None, typer.Option(help="envconfig profile in temporal.toml (TEMPORAL_PROFILE)")
    ],
}


@dataclass(frozen=True)
class Temporal:
    """Where a command finds Temporal, as its options said."""

    address: str | None = None
    namespace: str | None = None
    profile: str | None = None

    async def connect(self, settings: Settings) -> Client:
        """A client, as every command connects: tracing and the payload codec from settings."""
        from order_saga.temporal import connect_for

        return await connect_for(
            settings, self.address, namespace=self.namespace, profile=self.profile
        )


ENVCONFIG = Temporal()  # no option given: envconfig alone


def temporal_options(func: F) -> F:
    """Give a command --address, --namespace and --profile, declared once here; it receives
    them as one `temporal: Temporal` argument."""
    signature = inspect.signature(func, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "temporal"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in TEMPORAL_OPTIONS.items()
    ]

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        where = Temporal(*(kwargs.pop(name) for name in TEMPORAL_OPTIONS))
        return func(*args, temporal=where, **kwargs)

    command.__signature__ = signature.replace(parameters=own + added)  # type: ignore[attr-defined]
    return command  # type: ignore[return-value]


def requester(name: str | None) -> str:
    """Who the CLI acts for in a saga's record: `--as NAME`, or the OS user. The CLI talks to
    Temporal directly, as an operator; this is what its history shows of the person."""
    if name:
        return f"cli:{name}"
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name (a container's numeric user)
        return f"cli:uid-{os.getuid()}"


AS_OPTION = Annotated[
    str | None,
    typer.Option("--as", help="Who asks, for the saga's record (default: the OS user)"),
]


class CliError(Exception):
    """A failure the user can act on, printed as one line on stderr."""


def one_line_errors(func: F) -> F:
    """Turn expected failures into one clear line on stderr and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as err:
            what = "setting" if err.title == "Settings" else "order"
            message = f"invalid {what}: {describe_validation_error(err)}"
        except json.JSONDecodeError as err:
            message = f"invalid JSON: {err}"
        except (CliError, OrderError, OSError, ValueError) as err:
            message = str(err)
        except RPCError as err:
            message = f"Temporal refused the request: {err.message}"
        except RuntimeError as err:  # connection failures (TemporalUnreachable among them)
            message = str(err)
        except Exception as err:
            if not type(err).__module__.startswith("sqlalchemy"):
                raise  # unexpected: the traceback is the report
            message = f"database: {str(err).splitlines()[0]}"
        for line in message.splitlines():  # one problem a line, each saying whose it is
            typer.echo(f"order-saga: {line.strip()}", err=True)
        sys.exit(1)

    return wrapper  # type: ignore[return-value]


class OrderSagaApp(typer.Typer):
    """The CLI's app: every command it registers reports expected failures in one line
    (`one_line_errors`), so a new command cannot forget to."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Register a command, its failures reported in one line."""
        kwargs.setdefault("cls", help_format.Command)
        register = super().command(*args, **kwargs)
        return lambda func: register(one_line_errors(func))


app = OrderSagaApp(
    cls=help_format.Group,
    no_args_is_help=True,
    help="Run e-commerce orders as Temporal sagas: reserve, charge, ship, undo on failure.",
)


def show_version(asked: bool) -> None:
    """`--version`: the installed distribution's version."""
    if asked:
        typer.echo(f"order-saga {version('order-saga')}")
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=show_version, is_eager=True, help="Print the version and exit"
        ),
    ] = False,
) -> None:
    """Run e-commerce orders as Temporal sagas: reserve, charge, ship, undo on failure."""


def main() -> None:
    """Console entry point of `order-saga`: the CLI's composition root."""
    from order_saga.interrupts import quitting_on_interrupt

    with quitting_on_interrupt():  # loading every command takes a moment
        from order_saga.cli.commands import register_commands
        from order_saga.temporal import run_then_exit

        register_commands(app)
    run_then_exit(app)
