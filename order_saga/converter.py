"""The data converter every client and worker of the project uses: pydantic's, and failures
that tell a business outcome without a Python stack trace.

An order that did not ship ends as a failed workflow carrying its result (red in the Web UI).
That is an outcome, not a crash: the SDK would attach the traceback of the `raise` (frames of
the SDK with their install paths) to the failure the Web UI and every client show. Those
failures go without it; any other keeps its trace, where it helps whoever debugs it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from temporalio.api.failure.v1 import Failure
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverter, PayloadConverter
from temporalio.exceptions import ApplicationError

from workflows.order_outcome import COMPENSATED_FAILURE_TYPES, ORDER_TAKEN

OUTCOMES = frozenset({*COMPENSATED_FAILURE_TYPES.values(), ORDER_TAKEN})


class OutcomeFailureConverter(DefaultFailureConverter):
    """The default converter, less the stack trace of an order's business outcome."""

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        """Convert as usual; an outcome's failure keeps its message and details alone."""
        super().to_failure(exception, payload_converter, failure)
        if isinstance(exception, ApplicationError) and exception.type in OUTCOMES:
            failure.stack_trace = ""


def data_converter(**changes: Any) -> DataConverter:
    """pydantic's converter with outcome failures told without a trace, and `changes`."""
    return dataclasses.replace(
        pydantic_data_converter, failure_converter_class=OutcomeFailureConverter, **changes
    )
