"""The local Stripe server keeps its state in a journal: a request appends one line, whatever
the server holds, and an answered request survives a `kill -9`."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import stripe

from order_saga.embedded.local_stripe.journal import repair
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.settings import Settings
from order_saga.stripe_client import make_stripe_client
from tests.conftest import serve_in_thread
from tests.ports import free_port
from tests.processes import read_until

BIN = Path(sys.executable).parent
PARAMS = {"amount": 500, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}


def client(base_url: str) -> stripe.StripeClient:
    return make_stripe_client(Settings(stripe_api_base=base_url, stripe_max_network_retries=0))


def test_a_request_appends_one_line_however_much_is_held(tmp_path: Path) -> None:
    journal = tmp_path / "stripe.json"
    state = LocalStripe(state_file=journal)
    with serve_in_thread(state) as base_url:
        stripe_client = client(base_url)
        sizes, inode = [], journal.stat().st_ino
        for _ in range(300):
            before = journal.stat().st_size
            stripe_client.v1.payment_intents.create(params=PARAMS)  # type: ignore[arg-type]
            sizes.append(journal.stat().st_size - before)
    state.close()
    assert journal.stat().st_ino == inode  # appended to, never rewritten
    # The 300th request writes what the 1st did, not the 299 intents before it.
    assert max(sizes) < 2 * min(sizes) < 10_000
    assert len(journal.read_text().splitlines()) == 301  # the start-up snapshot, then one each


@pytest.mark.slow  # runs the server as a process, twice
def test_an_answered_request_survives_kill_9(tmp_path: Path) -> None:
    journal, port = tmp_path / "stripe.json", free_port()
    command = [str(BIN / "order-saga"), "stripe-server", "--port", str(port)]
    command += ["--state-file", str(journal)]

    def serve() -> subprocess.Popen[bytes]:
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        read_until(server, "Stripe-compatible API on", seconds=30)
        return server

    server = serve()
    base_url = f"http://127.0.0.1:{port}"
    options = {"idempotency_key": "survives-kill"}
    first = client(base_url).v1.payment_intents.create(params=PARAMS, options=options)  # type: ignore[arg-type]
    server.send_signal(signal.SIGKILL)
    server.wait()
    server = serve()
    try:
        again = client(base_url).v1.payment_intents.create(params=PARAMS, options=options)  # type: ignore[arg-type]
        kept = client(base_url).v1.payment_intents.retrieve(first.id)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert again.id == first.id  # the idempotent answer came back from the journal
    assert kept.status == "succeeded"


def test_lists_after_a_restart_keep_creation_order(tmp_path: Path) -> None:
    journal = tmp_path / "stripe.json"
    first = LocalStripe(state_file=journal)
    with serve_in_thread(first) as base_url:
        created = [
            client(base_url).v1.payment_intents.create(params=PARAMS).id  # type: ignore[arg-type]
            for _ in range(7)
        ]
    first.close()
    again = LocalStripe(state_file=journal)
    with serve_in_thread(again) as base_url:
        stripe_client = client(base_url)
        listed = stripe_client.v1.payment_intents.list(params={"limit": 3})
        assert [i.id for i in listed.auto_paging_iter()] == created[::-1]
        refund = stripe_client.v1.refunds.create(params={"payment_intent": created[3]})
        again_listed = stripe_client.v1.refunds.list(params={"payment_intent": created[3]})
        assert [r.id for r in again_listed.data] == [refund.id]
    again.close()


def _journal_with_two_intents(path: Path) -> list[str]:
    state = LocalStripe(state_file=path)
    with serve_in_thread(state) as base_url:
        ids = [
            client(base_url)
            .v1.payment_intents.create(  # type: ignore[arg-type]
                params=PARAMS, options={"idempotency_key": f"key-{n}"}
            )
            .id
            for n in range(2)
        ]
    state.close()
    return ids


DAMAGE = {
    "garbage": (b"}{ not json\n", "not JSON"),
    "a number": (b"42\n", "not a journal entry"),
    "wrong shape": (b'{"intents": [1, 2]}\n', "'intents' is not an object of objects"),
    "not utf-8": (b'{"intents": {"pi_\xff": {}}}\n', "not UTF-8"),
}


@pytest.mark.slow  # runs the server as a process
@pytest.mark.parametrize("damage", DAMAGE, ids=str)
def test_a_damaged_line_stops_the_start_naming_it_and_leaves_the_file(
    tmp_path: Path, damage: str
) -> None:
    journal = tmp_path / "stripe.json"
    _journal_with_two_intents(journal)
    lines = journal.read_bytes().splitlines(keepends=True)
    bad, problem = DAMAGE[damage]
    damaged = b"".join([lines[0], lines[1], bad, lines[2]])  # a good line after the bad one
    journal.write_bytes(damaged)

    command = [str(BIN / "order-saga"), "stripe-server", "--port", str(free_port())]
    result = subprocess.run(
        [*command, "--state-file", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"{journal} is damaged at line 3: {problem}" in message
    assert journal.read_bytes() == damaged  # untouched: no compaction over damage


def test_a_torn_last_line_is_dropped_and_every_answer_is_kept(tmp_path: Path) -> None:
    journal = tmp_path / "stripe.json"
    ids = _journal_with_two_intents(journal)
    with journal.open("ab") as out:
        out.write(b'{"intents": {"pi_torn": {"id": "pi_to')  # a crash mid-write
    state = LocalStripe(state_file=journal)
    with serve_in_thread(state) as base_url:
        again = client(base_url).v1.payment_intents.create(  # type: ignore[arg-type]
            params=PARAMS, options={"idempotency_key": "key-1"}
        )
        kept = [client(base_url).v1.payment_intents.retrieve(i).status for i in ids]
    state.close()
    assert again.id == ids[1]  # the idempotency key still replays its first answer
    assert kept == ["succeeded", "succeeded"]


def test_repair_sets_the_bad_lines_aside_and_keeps_the_good_ones(tmp_path: Path) -> None:
    journal = tmp_path / "stripe.json"
    ids = _journal_with_two_intents(journal)
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(b"".join([lines[0], b"42\n", lines[1], lines[2]]))

    aside = repair(journal)

    assert aside is not None and aside.read_bytes() == b"2\t42\n"
    state = LocalStripe(state_file=journal)
    assert sorted(state.ledger.intents) == sorted(ids)
    state.close()
