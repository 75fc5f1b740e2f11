"""The starter CLI, `order-saga`: run the embedded stack, start and inspect sagas."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from pydantic import ValidationError
from temporalio.service import RPCError

from order_saga.client import OrderError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Run e-commerce orders as Temporal sagas: reserve, charge, ship, undo on failure.",
)
F = TypeVar("F", bound=Callable[..., Any])


class CliError(Exception):
    """A failure the user can act on, printed as one line on stderr."""


def describe_validation_error(err: ValidationError) -> str:
    """One line naming each bad field, e.g. `items.0.quantity: must be at least 1`."""
    parts = []
    for problem in err.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "order"
        message = problem["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def one_line_errors(func: F) -> F:
    """Turn expected failures into one clear line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ValidationError as err:
            message = f"invalid order: {describe_validation_error(err)}"
        except json.JSONDecodeError as err:
            message = f"invalid JSON: {err}"
        except (CliError, OrderError, OSError, ValueError) as err:
            message = str(err)
        except RPCError as err:
            message = f"Temporal refused the request: {err.message}"
        except RuntimeError as err:  # connection failures (TemporalUnreachable among them)
            message = str(err)
        typer.echo(f"order-saga: {message}", err=True)
        sys.exit(1)

    return wrapper  # type: ignore[return-value]


def main() -> None:
    """Console entry point of `order-saga`."""
    from order_saga.cli import load, operate, orders, stack  # noqa: F401  (registers them)
    from order_saga.temporal import run_then_exit

    run_then_exit(app)
