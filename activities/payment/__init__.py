"""Payment service: the card is charged through Stripe in two steps and refunded by the undo."""
