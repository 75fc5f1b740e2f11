"""Connecting to Temporal: envconfig profiles and variables, always the pydantic converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.envconfig import ClientConfigProfile


async def connect(address: str | None = None, *, profile: str | None = None) -> Client:
    """TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS and profiles all apply."""
    config = ClientConfigProfile.load(profile=profile).to_client_connect_config()
    config.setdefault("target_host", "localhost:7233")
    if address:
        config["target_host"] = address
    return await Client.connect(**config, data_converter=pydantic_data_converter)
