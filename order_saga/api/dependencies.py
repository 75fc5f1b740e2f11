"""What the order API's routes are given (FastAPI's `Depends`): the Temporal client the app
was built on, and its configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from temporalio.client import Client

from order_saga.client import DEFAULT_DEADLINE_SECONDS
from workflows.return_request import DEFAULT_RETURN_WINDOW_DAYS


@dataclass(frozen=True)
class ApiConfig:
    """What the routes need besides the client: where sagas run, and the default deadline."""

    queue_prefix: str
    default_deadline_seconds: int = DEFAULT_DEADLINE_SECONDS
    eager_start: bool = False  # a colocated worker shares the API's process and client
    return_window_days: int = DEFAULT_RETURN_WINDOW_DAYS
    operator_email: str | None = None  # told of disputes
    carrier_secret: str | None = None  # the carrier's webhook events are verified with it


def temporal_client(request: Request) -> Client:
    """The connected client the app was built on."""
    client: Client = request.app.state.client
    return client


def api_config(request: Request) -> ApiConfig:
    """The app's configuration."""
    config: ApiConfig = request.app.state.config
    return config


TemporalClient = Annotated[Client, Depends(temporal_client)]
AppConfig = Annotated[ApiConfig, Depends(api_config)]
