"""Histories of real runs replay against today's workflow code: no silent non-determinism."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer
from temporalio.workflow import NondeterminismError

from order_saga.worker_options import SANDBOX
from tests.workflows.reordered_saga import ChargesBeforeReserving
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


def test_histories_cover_every_outcome_before_and_after_each_patch_and_in_each_placement() -> None:
    three = {"completed", "declined", "shipment_rejected"}
    older = {"", ".fewer-search-attribute-upserts", ".compensated-fails-workflow"}
    every = three | {
        "insufficient_funds",
        "expired_card",
        "fraudulent",
        "cancelled",
        "refund_refused_marked_resolved",
        "refund_refused_retried",
        "expired",
    }
    expected = {o + v for o in three for v in older} | {o + ".wait-for-a-person" for o in every}
    expected.add("cancelled_before_charge.void-unconfirmed-intent-detached")
    expected.add("refund_refused_marked_resolved.resolved-fails-workflow")
    # Authorize at checkout, capture at pickup: every outcome again, and the two new ones.
    expected |= {
        o + ".authorize-then-capture" for o in every | {"captured_then_cancelled", "capture_failed"}
    }
    # 3-D Secure: completed (a webhook's signal wakes the saga), failed, never answered.
    three_d_secure = {"authenticated", "authentication_failed", "authentication_timed_out"}
    expected |= {o + ".three-d-secure" for o in three_d_secure}
    # Colocated: every step a local activity, every outcome once more.
    colocated = every | {"captured_then_cancelled", "capture_failed", "cancelled_before_charge"}
    expected |= {o + ".placement-colocated" for o in colocated | three_d_secure}
    # Order events and the customer's mails (a subscriber registered, an address on the
    # order): every outcome in both placements, and 3-D Secure's authentication mail.
    told = every | {"captured_then_cancelled", "capture_failed"}
    expected |= {o + ".order-events" for o in told | three_d_secure}
    expected |= {o + ".order-events-per-service" for o in told}
    # The customer told while a person looks at a refund the bank refused.
    expected |= {
        f"refund_refused_marked_resolved.mail-while-waiting{p}" for p in ("", "-per-service")
    }
    assert {p.stem for p in HISTORIES} == expected


async def test_reordering_two_activity_calls_is_caught_as_non_determinism() -> None:
    replayer = Replayer(
        workflows=[ChargesBeforeReserving],
        data_converter=pydantic_data_converter,
        workflow_runner=SANDBOX,
    )
    path = Path(__file__).parent / "histories" / "completed.wait-for-a-person.json"
    text = path.read_text()
    with pytest.raises(NondeterminismError, match=r"create_payment_intent|reserve_inventory"):
        await replayer.replay_workflow(WorkflowHistory.from_json(workflow_id_of(text), text))
