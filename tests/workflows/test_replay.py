"""Histories of real runs replay against today's workflow code: no silent non-determinism,
every outcome in both placements."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from order_saga.worker_options import WORKFLOW_RUNNER
from tests.workflows.recording.outcomes import EVERY_OUTCOME
from tests.workflows.reordered_saga import ChargesBeforeReserving
from workflows.order_request import workflow_id_for
from workflows.order_workflow import OrderSaga
from workflows.placement import PLACEMENTS

FOLDER = Path(__file__).parent / "histories"
HISTORIES = sorted(FOLDER.glob("*.json"))


def workflow_id_of(history_json: str) -> str:
    """The saga's own workflow id, derived from the order in its start event."""
    started = json.loads(history_json)["events"][0]["workflowExecutionStartedEventAttributes"]
    order = json.loads(base64.b64decode(started["input"]["payloads"][0]["data"]))
    return workflow_id_for(order["order_id"])


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path) -> None:
    replayer = Replayer(
        workflows=[OrderSaga],
        data_converter=pydantic_data_converter,
        workflow_runner=WORKFLOW_RUNNER,
    )
    text = path.read_text()
    history = WorkflowHistory.from_json(workflow_id_of(text), text)
    await replayer.replay_workflow(history)


def test_histories_cover_every_outcome_in_each_placement_from_one_shape() -> None:
    expected = {f"{o}.{p}" for o in EVERY_OUTCOME for p in PLACEMENTS}
    assert {p.stem for p in HISTORIES} == expected


async def test_reordering_two_activity_calls_is_caught_as_non_determinism() -> None:
    replayer = Replayer(
        workflows=[ChargesBeforeReserving],
        data_converter=pydantic_data_converter,
        workflow_runner=WORKFLOW_RUNNER,
    )
    path = FOLDER / "completed.per-service.json"
    text = path.read_text()
    with pytest.raises(NondeterminismError, match=r"create_payment_intent|reserve_inventory"):
        await replayer.replay_workflow(WorkflowHistory.from_json(workflow_id_of(text), text))
