"""Inventory service: stock and reservations, reserved by the saga and released by its undo."""
