"""What one POST costs the local Stripe server as the orders it holds grow, with a state file.

    python -m benchmarks.local_stripe_cost

Prints the mean time of a create-and-confirm PaymentIntent request, through the official SDK,
once the server holds 50, 1,000 and 5,000 intents.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from activities.payment.stripe_client import make_stripe_client
from order_saga.embedded.local_stripe.app import serve_in_thread
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings

PARAMS = {"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
SAMPLE = 200


def main() -> None:
    state = LocalStripe(state_file=Path(tempfile.mkdtemp()) / "stripe.json")
    with serve_in_thread(state) as base_url:
        client = make_stripe_client(Settings(stripe_api_base=base_url))
        held = 0
        for target in (50, 1_000, 5_000):
            while held < target:
                client.v1.payment_intents.create(params=PARAMS)  # type: ignore[arg-type]
                held += 1
            began = time.perf_counter()
            for _ in range(SAMPLE):
                client.v1.payment_intents.create(params=PARAMS)  # type: ignore[arg-type]
            held += SAMPLE
            per_request = (time.perf_counter() - began) / SAMPLE * 1000
            print(f"holding {target:>5} intents: {per_request:.2f} ms per POST")
    state.close()


if __name__ == "__main__":
    main()
