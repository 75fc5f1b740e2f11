"""Temporal visibility for sagas: registering the search attributes, and list queries."""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from workflows.order_state import WORKFLOW_TYPE
from workflows.search_attributes import ALL, CUSTOMER_ID, ORDER_STATUS


async def register_search_attributes(client: Client) -> None:
    """Register the attributes on a server that lacks them (test servers, new clusters)."""
    request = AddSearchAttributesRequest(
        namespace=client.namespace,
        search_attributes={
            key.name: IndexedValueType.ValueType(int(key.indexed_value_type)) for key in ALL
        },
    )
    try:
        await client.operator_service.add_search_attributes(request)
    except RPCError as err:
        if err.status != RPCStatusCode.ALREADY_EXISTS:
            raise


def list_query(*, status: str | None = None, customer: str | None = None) -> str:
    """A visibility query for sagas, narrowed by status and customer when given."""
    clauses = [f"WorkflowType = '{WORKFLOW_TYPE}'"]
    if status == "TERMINATED":  # no saga says so itself: the execution's own status does
        clauses.append("ExecutionStatus = 'Terminated'")
        status = None
    for key, value in ((ORDER_STATUS.name, status), (CUSTOMER_ID.name, customer)):
        if value:
            escaped = value.replace("\\", "\\\\").replace("'", "\\'")
            clauses.append(f"{key} = '{escaped}'")
    return " AND ".join(clauses)
