"""Workflows: the order saga that orchestrates inventory, payment and shipment."""
