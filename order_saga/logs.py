"""How the worker logs: readable text lines or one JSON object a line, a timestamp with its
zone, and the workflow's or activity's context as fields, not as a Python dict in the text."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from temporalio import activity, workflow

TEXT_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s%(context)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
# From the SDK's context, what a text line names (JSON lines carry all of it).
CONTEXT_KEYS = ("workflow_id", "run_id", "activity_type", "attempt")


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


class TemporalContext(logging.Filter):
    """`context` for a text line: ` [workflow_id=... activity_type=... attempt=2]`, from the
    context the SDK's loggers put on the record; empty for other lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Add the field; drop nothing."""
        found: dict[str, Any] = {
            **getattr(record, "temporal_workflow", {}),
            **getattr(record, "temporal_activity", {}),
        }
        pairs = [f"{key}={found[key]}" for key in CONTEXT_KEYS if key in found]
        record.context = f" [{' '.join(pairs)}]" if pairs else ""
        return True


def configure_logging(log_format: LogFormat = LogFormat.TEXT) -> None:
    """INFO for the worker's own lines; the Stripe SDK's two INFO lines per request (request,
    response) only at WARNING and above: at load they cost more than they tell."""
    # The SDK's loggers keep their context as fields of the record, not in the message.
    activity.logger.activity_info_on_message = False
    workflow.logger.workflow_info_on_message = False
    handler = logging.StreamHandler()
    if log_format == LogFormat.JSON:
        # RFC 3339 with the zone: 2026-11-27T12:00:00.123456+00:00
        formatter: logging.Formatter = JsonFormatter(
            JSON_FIELDS, rename_fields={"levelname": "level"}, timestamp="time"
        )
    else:
        formatter = logging.Formatter(TEXT_FIELDS, datefmt="%Y-%m-%dT%H:%M:%S%z")
        handler.addFilter(TemporalContext())
    handler.setFormatter(formatter)
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("stripe").setLevel(logging.WARNING)
