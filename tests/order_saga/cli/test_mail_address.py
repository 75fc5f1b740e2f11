"""An address no mail can be written to is refused before anything runs, naming the field."""

from __future__ import annotations

from tests.processes import order_saga


def test_start_refuses_an_address_the_mail_cannot_carry(cli_env: dict[str, str]) -> None:
    refused = order_saga(
        "start", "--customer-id", "c1", "--customer-email", "jürgen@exämple.com",
        "--item", "prod-456:1:19.99", "--street", "1 Main St", "--city", "X", "--zip-code", "1",
        "--address", "127.0.0.1:1",  # never reached: the order is refused first
        env=cli_env,
    )  # fmt: skip
    assert refused.returncode == 1
    assert refused.stderr.startswith("order-saga: invalid order: --customer-email: "), (
        refused.stderr
    )
    assert "SMTPUTF8" in refused.stderr and "Temporal" not in refused.stderr
