"""A local Stripe-compatible server, so the saga runs offline against the real SDK."""
