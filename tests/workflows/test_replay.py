"""Histories of real runs replay against today's workflow code: no silent non-determinism."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from order_saga.worker_group import SANDBOX
from workflows.order_request import workflow_id_for
from workflows.order_workflow import OrderSaga

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def workflow_id_of(history_json: str) -> str:
    """The saga's own workflow id, derived from the order in its start event."""
    started = json.loads(history_json)["events"][0]["workflowExecutionStartedEventAttributes"]
    order = json.loads(base64.b64decode(started["input"]["payloads"][0]["data"]))
    return workflow_id_for(order["order_id"])


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    replayer = Replayer(
        workflows=[OrderSaga], data_converter=pydantic_data_converter, workflow_runner=SANDBOX
    )
    text = path.read_text()
    history = WorkflowHistory.from_json(workflow_id_of(text), text)
    await replayer.replay_workflow(history)


def test_histories_cover_every_outcome_before_and_after_each_patch() -> None:
    outcomes = {"completed", "declined", "shipment_rejected"}
    versions = {"", ".fewer-search-attribute-upserts", ".compensated-fails-workflow"}
    assert {p.stem for p in HISTORIES} == {o + v for o in outcomes for v in versions}
