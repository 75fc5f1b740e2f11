"""Histories of real runs replay against today's workflow code: no silent non-determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from order_saga.worker_group import SANDBOX
from workflows.order_workflow import OrderSaga

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    replayer = Replayer(
        workflows=[OrderSaga], data_converter=pydantic_data_converter, workflow_runner=SANDBOX
    )
    history = WorkflowHistory.from_json(f"order-{path.stem}", path.read_text())
    await replayer.replay_workflow(history)


def test_histories_cover_every_outcome() -> None:
    assert {p.stem for p in HISTORIES} == {"completed", "declined", "shipment_rejected"}
