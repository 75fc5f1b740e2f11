"""Search attributes that make a saga findable in the Web UI by its business state.

No card data and no address: only the status, the customer and the total.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

ORDER_STATUS = SearchAttributeKey.for_keyword("OrderStatus")
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
ORDER_TOTAL = SearchAttributeKey.for_float("OrderTotal")
ALL = (ORDER_STATUS, CUSTOMER_ID, ORDER_TOTAL)
