"""The README's main command, `order-saga demo`, on the embedded default from an empty folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from activities.database import transaction
from activities.payment.tables import Payment
from activities.shipment.tables import Shipment
from order_saga.db.engine import make_engine
from order_saga.embedded.ports import port_open
from tests.helpers import clean_env
from tests.processes import as_at_a_terminal, banner_key, read_until

BIN = Path(sys.executable).parent


@pytest.mark.skipif(
    port_open("127.0.0.1", 7233) or port_open("127.0.0.1", 12111),
    reason="a stack already runs on 7233/12111; the demo would reuse it, not start its own",
)
def test_demo_brings_up_the_stack_and_shows_every_path(tmp_path: Path) -> None:
    env = {**clean_env(), "COLUMNS": "250"}  # a row a line
    done = subprocess.run(
        [BIN / "order-saga", "demo", "--exit"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    table = done.stdout
    # Each path's money told as it happened: captured at pickup, voided when only held,
    # nothing taken where nothing was ever held; never "charged", never a refund for a void.
    for path, outcome, undone, money in [
        ("authorized, captured at pickup", "COMPLETED", "-", "captured / "),
        ("3-D Secure completed", "COMPLETED", "-", "captured / "),
        ("3-D Secure failed", "COMPENSATED", "stock released", "nothing taken"),
        ("3-D Secure abandoned", "CANCELLED", "stock released", "nothing taken"),
        ("card declined", "COMPENSATED", "stock released", "nothing taken"),
        ("out of stock", "COMPENSATED", "nothing to undo for the stock", "nothing taken"),
        ("shipment rejected", "COMPENSATED", "USD voided, stock released, nothing to undo for "
         "the shipment", "USD voided"),
        ("cancelled", "CANCELLED", "shipment cancelled, 129.00 USD voided, stock released",
         "129.00 USD voided / "),
    ]:  # fmt: skip
        [row] = [line for line in table.splitlines() if line.startswith(f"│ {path} ")]
        assert outcome in row and undone in row and money in row, row
    assert "charged" not in table and "refund" not in table
    assert "http://localhost:8233/namespaces/default/workflows" in table
    # Each order's outcome, and the bank's request to the three asked for 3-D Secure.
    mails = sorted((tmp_path / ".data" / "mail").glob("*.eml"))
    assert "12 mails sent to the customer (demo-customer@example.com): .data/mail/" in table
    assert len(mails) == 12
    assert (tmp_path / ".data" / "temporal.db").exists()

    engine = make_engine(f"sqlite:///{tmp_path / '.data' / 'orders.db'}")
    with transaction(engine) as session:
        statuses = sorted(p.status for p in session.exec(select(Payment)))
        shipments = sorted(s.status for s in session.exec(select(Shipment)))
    engine.dispose()
    # Two captured at pickup (one after 3-D Secure); two declines, a failed and an abandoned
    # 3-D Secure failed (nothing was ever held); the AQ and the cancelled order were only
    # authorized when undone, so their authorizations were voided, not refunded.
    assert statuses == [
        "Captured", "Captured", "Failed", "Failed", "Failed", "Failed", "Voided", "Voided",
    ]  # fmt: skip
    assert shipments == ["Cancelled", "Cancelled", "Created", "Created"]
    assert not port_open("127.0.0.1", 7233)  # it stopped what it started


@pytest.mark.skipif(
    any(port_open("127.0.0.1", p) for p in (7233, 8000, 12111)),
    reason="a stack already runs here; the demo would reuse it, not start its own",
)
def test_the_demo_serves_the_order_api_while_it_stays_up(tmp_path: Path) -> None:
    demo = subprocess.Popen(
        [BIN / "order-saga", "demo"], cwd=tmp_path, env=clean_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        preexec_fn=as_at_a_terminal,
    )  # fmt: skip
    try:
        said = read_until(demo, "The stack stays up", seconds=180)
        listed = httpx.get(
            "http://127.0.0.1:8000/api/orders", headers=banner_key(said, "Storefront"), timeout=30
        )
        anonymous = httpx.get("http://127.0.0.1:8000/api/orders", timeout=30)
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C at a terminal
        demo.communicate(timeout=60)
    assert "Order API          http://127.0.0.1:8000/api/orders" in said
    assert "Temporal Web UI    http://localhost:8233" in said
    assert listed.status_code == 200 and len(listed.json()) >= 6  # the demo's orders
    assert anonymous.status_code == 401  # the demo's API checks callers too
    assert (tmp_path / ".data" / "api-keys.env").stat().st_mode & 0o077 == 0  # owner-only
    assert demo.returncode == 130  # Ctrl-C, at this moment of the demo as at any other
    assert not port_open("127.0.0.1", 8000)
