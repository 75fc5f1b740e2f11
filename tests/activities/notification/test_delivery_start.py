"""The start of an order's event delivery, as the previous build's delivery reads it: a saga's
hand-over starts the delivery on the deployment's current version, which during a ramp may be
the previous build, whose input refuses a field it does not know."""

from __future__ import annotations

import json

from temporalio.contrib.pydantic import pydantic_data_converter

from activities.notification.events import EventDeliveryInput


def sent(start: EventDeliveryInput) -> dict[str, object]:
    payload = pydantic_data_converter.payload_converter.to_payloads([start])[0]
    return dict(json.loads(payload.data))


def test_a_first_start_carries_only_what_the_previous_build_knows() -> None:
    start = EventDeliveryInput(order_id="o-1", subscriber_ids=[3])
    assert sent(start) == {"order_id": "o-1", "subscriber_ids": [3]}


def test_a_start_after_an_earlier_run_carries_what_it_delivered() -> None:
    start = EventDeliveryInput(order_id="o-1", subscriber_ids=[3], delivered=["evt_a"])
    assert sent(start)["delivered"] == ["evt_a"]
    assert EventDeliveryInput.model_validate(sent(start)) == start
