"""Shipment service: the carrier booking made by the saga and cancelled by its undo."""
