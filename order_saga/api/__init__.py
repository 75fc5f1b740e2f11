"""The HTTP order API (`order-saga api`): the storefront's entry point, `POST /api/orders`."""
