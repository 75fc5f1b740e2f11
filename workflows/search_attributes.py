"""Search attributes that make a saga findable in the Web UI by its business state.

No card data and no address: only the status, the customer and the total.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from workflows.order_state import SagaState

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
ORDER_TOTAL = SearchAttributeKey.for_float("OrderTotal")
ALL = (ORDER_STATUS, CUSTOMER_ID, ORDER_TOTAL)


def at_start(customer_id: str, total: float) -> TypedSearchAttributes:
    """What a saga is findable by from its first moment: customer, total, RUNNING. Set by
    the client that starts it, they cost no history event and no extra visibility write."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(CUSTOMER_ID, customer_id),
            SearchAttributePair(ORDER_TOTAL, total),
            SearchAttributePair(ORDER_STATUS, str(SagaState.RUNNING)),
        ]
    )
