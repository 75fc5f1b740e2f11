"""The returns service: a return of shipped items, numbered per order and checked against
what was shipped and taken; its refund is the payment service's, its restock the
inventory's."""
