"""`order-saga amend` refuses what it cannot send, naming the option, before it asks Temporal
anything."""

from __future__ import annotations

from tests.processes import order_saga


def test_an_amendment_names_what_is_wrong_before_asking_anyone(cli_env) -> None:
    nowhere = ("--address", "127.0.0.1:1")
    bad_line = order_saga("amend", "o-1", "--line", "prod-456", *nowhere, env=cli_env)
    half_address = order_saga("amend", "o-1", "--city", "Boston", *nowhere, env=cli_env)
    nothing = order_saga("amend", "o-1", *nowhere, env=cli_env)

    assert (bad_line.returncode, bad_line.stderr.strip()) == (
        1,
        "order-saga: --line 'prod-456': SKU:QUANTITY, e.g. prod-456:1",
    )
    assert (half_address.returncode, half_address.stderr.strip()) == (
        1,
        "order-saga: a new address needs --street, --zip-code, --country too",
    )
    assert nothing.returncode == 2 and "say what changes" in nothing.stderr
