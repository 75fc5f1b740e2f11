"""Risk before money: who may not buy, how much a customer may spend, and a switch that holds
every new order for a person's review."""
