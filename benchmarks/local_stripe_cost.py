"""What one request costs the local Stripe server as the orders it holds grow, with a state
file.

    python -m benchmarks.local_stripe_cost

Prints the mean time, through the official SDK, of a create-and-confirm PaymentIntent, a
refund with the list of its intent's refunds (what the saga's undo sends), and a page of
the intent list, once the server holds 50, 1,000 and 5,000 intents, each refunded.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from order_saga.embedded.local_stripe.serving import serve_in_thread
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client

PARAMS = {"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
SAMPLE = 200


def main() -> None:
    state = LocalStripe(state_file=Path(tempfile.mkdtemp()) / "stripe.json")
    with serve_in_thread(state) as base_url:
        client = make_stripe_client(Settings(stripe_api_base=base_url))
        held = 0
        for target in (50, 1_000, 5_000):
            while held < target:
                intent = client.v1.payment_intents.create(params=PARAMS)  # type: ignore[arg-type]
                client.v1.refunds.create(params={"payment_intent": intent.id})
                held += 1
            began = time.perf_counter()
            intents = [
                client.v1.payment_intents.create(params=PARAMS)  # type: ignore[arg-type]
                for _ in range(SAMPLE)
            ]
            created = time.perf_counter()
            for intent in intents:
                client.v1.refunds.create(params={"payment_intent": intent.id})
                client.v1.refunds.list(params={"payment_intent": intent.id})
            refunded = time.perf_counter()
            for _ in range(SAMPLE):
                client.v1.payment_intents.list(params={"limit": 10})
            listed = time.perf_counter()
            held += SAMPLE
            print(
                f"holding {target:>5} intents: {(created - began) / SAMPLE * 1000:.2f} ms per "
                f"create, {(refunded - created) / SAMPLE * 1000:.2f} ms per refund and its "
                f"list, {(listed - refunded) / SAMPLE * 1000:.2f} ms per list page"
            )
    state.close()


if __name__ == "__main__":
    main()
