"""Search attributes that make a saga findable in the Web UI by its business state.

No card data and no address: only the status, the customer and the total.
"""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
ORDER_TOTAL = SearchAttributeKey.for_float("OrderTotal")

_TYPES = {
    ORDER_STATUS.name: ("Keyword", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    CUSTOMER_ID.name: ("Keyword", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD),
    ORDER_TOTAL.name: ("Double", IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE),
}


def dev_server_flags() -> list[str]:
    """`temporal server start-dev` flags that register the attributes at start."""
    flags: list[str] = []
    for name, (kind, _) in _TYPES.items():
        flags += ["--search-attribute", f"{name}={kind}"]
    return flags


async def register(client: Client) -> None:
    """Register the attributes on a server that lacks them (test servers, new clusters)."""
    request = AddSearchAttributesRequest(
        namespace=client.namespace,
        search_attributes={name: indexed for name, (_, indexed) in _TYPES.items()},
    )
    try:
        await client.operator_service.add_search_attributes(request)
    except RPCError as err:
        if err.status != RPCStatusCode.ALREADY_EXISTS:
            raise


def list_query(*, status: str | None = None, customer: str | None = None) -> str:
    """A visibility query for sagas, narrowed by status and customer when given."""
    clauses = ["WorkflowType = 'OrderSaga'"]
    for key, value in ((ORDER_STATUS.name, status), (CUSTOMER_ID.name, customer)):
        if value:
            escaped = value.replace("\\", "\\\\").replace("'", "\\'")
            clauses.append(f"{key} = '{escaped}'")
    return " AND ".join(clauses)
