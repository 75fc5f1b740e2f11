"""`order-saga webhooks`: an operator registers a subscriber, checks its endpoint with a
signed sample, lists and removes it; bad input names what is wrong."""

from __future__ import annotations

import asyncio
import json

from testkit.subscriber import Subscriber, serve_subscriber
from tests.processes import order_saga


async def test_add_test_list_and_remove_a_subscriber(cli_env: dict[str, str]) -> None:
    cli_env = {**cli_env, "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true"}  # it listens on loopback
    hook = Subscriber()
    async with serve_subscriber(hook) as url:
        added = await asyncio.to_thread(
            order_saga, "webhooks", "add", url, "--events", "order.completed,order.started",
            env=cli_env,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        secret = added.stdout.strip()
        assert secret.startswith("whsec_") and "shown only now" in added.stderr
        hook.secret = secret

        tested = await asyncio.to_thread(order_saga, "webhooks", "test", url, env=cli_env)
        assert (tested.returncode, tested.stdout) == (0, f"{url}: delivered\n")
        assert hook.forged == 0 and len(hook.received) == 1  # the signature held

        forged = await asyncio.to_thread(
            order_saga, "webhooks", "test", url, "--secret", "whsec_wrong", env=cli_env
        )
        assert (forged.returncode, forged.stdout) == (1, f"{url}: not delivered\n")
        assert hook.forged == 1  # the endpoint saw the bad signature

        listed = await asyncio.to_thread(order_saga, "webhooks", "list", "-o", "json", env=cli_env)
        [mine] = [s for s in json.loads(listed.stdout) if s["url"] == url]
        assert mine["events"] == ["order.started", "order.completed"] and "secret" not in mine

        removed = await asyncio.to_thread(
            order_saga, "webhooks", "remove", str(mine["id"]), env=cli_env
        )
        again = await asyncio.to_thread(
            order_saga, "webhooks", "remove", str(mine["id"]), env=cli_env
        )
    assert removed.returncode == 0 and again.returncode != 0
    assert f"no active subscriber {mine['id']}" in again.stderr


def test_bad_input_names_the_problem(cli_env: dict[str, str]) -> None:
    bad_events = order_saga(
        "webhooks", "add", "https://x.example/h", "--events", "order.shipped", env=cli_env
    )
    bad_url = order_saga("webhooks", "add", "ftp://x.example/h", env=cli_env)
    unknown = order_saga("webhooks", "test", "https://nobody.example/h", env=cli_env)
    assert bad_events.returncode != 0 and "--events: unknown order.shipped" in bad_events.stderr
    assert bad_url.returncode != 0 and "URL: must be an https:// URL" in bad_url.stderr
    assert unknown.returncode != 0 and "give --secret" in unknown.stderr


def test_urls_that_lead_inside_are_refused_and_probing_tells_nothing(
    cli_env: dict[str, str],
) -> None:
    for url in ("https://169.254.169.254/latest/meta-data/", "https://127.0.0.1:7233/",
                "https://localhost/", "http://93.184.215.14/"):  # fmt: skip
        refused = order_saga("webhooks", "add", url, env=cli_env)
        assert refused.returncode == 1 and refused.stderr.startswith("order-saga: URL: "), url
    # A port that refuses and an address never allowed read alike: nothing is told of either.
    probes = [
        order_saga("webhooks", "test", url, "--secret", "whsec_x", env=cli_env)
        for url in ("https://127.0.0.1:1/", "https://169.254.169.254/")
    ]
    assert [(p.returncode, p.stdout.split(": ")[-1]) for p in probes] == [
        (1, "not delivered\n")
    ] * 2
