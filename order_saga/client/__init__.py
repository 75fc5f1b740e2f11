"""The client API: start, status, cancel, terminate, resolve and list orders over a Temporal
`Client`.

The CLI, the HTTP API and the demo call these functions, and any other front end (a script)
can do the same: they hold every rule of talking to a saga, the front ends only parse and print.
The saga is named by its wire names, so a client never loads the workflow's activities.
"""

from order_saga.client.amending import amend_order
from order_saga.client.cancelling import cancel_order, request_cancel
from order_saga.client.errors import (
    IdempotencyKeyReused,
    InvalidFilter,
    NotAmendable,
    NotWaitingForPerson,
    NoWorkerAnswered,
    OrderAlreadyStarted,
    OrderError,
    OrderNotFound,
    ReturnNotFound,
    ReturnRefused,
    UnknownStatus,
)
from order_saga.client.listing import OrderSummary, known_status, list_orders
from order_saga.client.orders import OrderHandle, find_order, terminate_order
from order_saga.client.outcomes import order_outcome, order_result, wait_for_end
from order_saga.client.resolving import mark_resolved, retry_undos, review_order
from order_saga.client.starting import Idempotency, order_id_for_key, start_order
from order_saga.client.status import ClosedOrder, order_status, query_status
from workflows.order_request import DEFAULT_DEADLINE_SECONDS

__all__ = [
    "DEFAULT_DEADLINE_SECONDS",
    "ClosedOrder",
    "Idempotency",
    "IdempotencyKeyReused",
    "InvalidFilter",
    "NoWorkerAnswered",
    "NotAmendable",
    "NotWaitingForPerson",
    "OrderAlreadyStarted",
    "OrderError",
    "OrderHandle",
    "OrderNotFound",
    "OrderSummary",
    "ReturnNotFound",
    "ReturnRefused",
    "UnknownStatus",
    "amend_order",
    "cancel_order",
    "find_order",
    "known_status",
    "list_orders",
    "mark_resolved",
    "order_id_for_key",
    "order_outcome",
    "order_result",
    "order_status",
    "query_status",
    "request_cancel",
    "retry_undos",
    "review_order",
    "start_order",
    "terminate_order",
    "wait_for_end",
]
