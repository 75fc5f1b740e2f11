"""The embedded stack for development and tests: Temporal dev server, local Stripe, database.

Nothing here is deployed: a worker in production talks to a Temporal cluster and to Stripe.
"""
