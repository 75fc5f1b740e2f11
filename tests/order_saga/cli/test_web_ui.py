"""The Temporal Web UI, as a person uses it: find a finished saga by its OrderStatus; read
caller text in its summary and details as text."""

from __future__ import annotations

import asyncio
import html
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import pytest
from temporalio.client import Client

from order_saga.client import order_result, start_order
from order_saga.embedded.temporal_server import start_local_server
from order_saga.settings import Settings
from order_saga.worker_group import build_worker
from tests.helpers import order
from tests.ports import free_port
from workflows.order_state import SagaState

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium package is not installed (apt-get install chromium): "
    "the Web UI check needs a headless browser",
)
# As this machine needs it: no sandbox for root, no calls to the outside world.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=20000",
]


def chromium(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM or "chromium", *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return done.stdout


def row_status(page: str, workflow_id: str) -> str:
    """The status badge's text in the list row that links to `workflow_id`."""
    [row] = [r for r in page.split("<tr")[1:] if f"/workflows/{workflow_id}/" in r]
    badge = re.search(r'data-testid="execution-status".*?<span>(\w+)', row)
    assert badge, row
    return badge.group(1)


@pytest.fixture(scope="module")
async def web_ui(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Client, str]]:
    ui_port = free_port()
    server = await start_local_server(port=free_port(), ui_port=ui_port)
    try:
        yield server.client, f"http://localhost:{ui_port}"
    finally:
        await server.shutdown()


async def test_a_finished_saga_is_found_by_order_status(
    web_ui, engine, stripe_server, queue_prefix, make_product, artifacts: Path
) -> None:
    client, ui = web_ui
    customer = f"cust-ui-{uuid.uuid4().hex[:6]}"
    sku = make_product(stock=5)
    shipped = order((sku, 2, "19.99")).model_copy(
        update={"customer_id": customer, "handover_delay_seconds": 0}
    )
    rejected = order((sku, 1, "19.99"), country="AQ").model_copy(update={"customer_id": customer})
    settings = Settings(stripe_api_base=stripe_server[1], queue_prefix=queue_prefix)
    async with build_worker(client, settings=settings, engine=engine):
        for request in (shipped, rejected):
            await order_result(await start_order(client, request, queue_prefix))  # as users do

    query = f'OrderStatus="{SagaState.COMPLETED}" AND CustomerId="{customer}"'
    listing = f"{ui}/namespaces/default/workflows?query={quote(query)}"
    deadline = asyncio.get_running_loop().time() + 60
    while shipped.workflow_id not in (
        page := await asyncio.to_thread(chromium, "--dump-dom", listing)
    ):
        assert asyncio.get_running_loop().time() < deadline, "the saga never showed in the UI"
    assert rejected.workflow_id not in page  # the filter is the search attribute, not luck

    # In the customer's list, the compensated order is told apart at a glance: red, Failed.
    by_customer = quote(f'CustomerId="{customer}"')
    everything = f"{ui}/namespaces/default/workflows?query={by_customer}"
    while rejected.workflow_id not in (
        page := await asyncio.to_thread(chromium, "--dump-dom", everything)
    ):
        assert asyncio.get_running_loop().time() < deadline, "the list never showed both"
    assert row_status(page, shipped.workflow_id) == "Completed"
    assert row_status(page, rejected.workflow_id) == "Failed"
    listed = artifacts / "webui-list.png"
    listed.unlink(missing_ok=True)
    await asyncio.to_thread(
        chromium, "--window-size=1440,700", f"--screenshot={listed}", everything
    )
    assert listed.stat().st_size > 20_000

    for name, saga in (("webui-saga.png", shipped), ("webui-compensated.png", rejected)):
        screenshot = artifacts / name
        screenshot.unlink(missing_ok=True)
        await asyncio.to_thread(
            chromium,
            "--window-size=1440,1100",
            f"--screenshot={screenshot}",
            f"{ui}/namespaces/default/workflows/{saga.workflow_id}",
        )
        assert screenshot.stat().st_size > 20_000  # a rendered page, not a blank one


HOSTILE = "c<img src=x onerror=alert(1)>[clickme](javascript:alert(1)) https://evil.example *em*"


async def test_caller_text_in_the_summary_and_details_renders_as_text(web_ui, queue_prefix) -> None:
    """The User Metadata tab renders the saga's Markdown in frames: a customer id full of HTML,
    links and emphasis reads as typed there, with no element of its own."""
    client, ui = web_ui
    request = order(("prod-456", 2, "19.99")).model_copy(update={"customer_id": HOSTILE})
    handle = await start_order(client, request, queue_prefix)  # no worker: the start is enough
    await handle.terminate("the test is over")
    run = (await handle.describe()).run_id
    tab = f"{ui}/namespaces/default/workflows/{request.workflow_id}/{run}/user-metadata"
    page = await asyncio.to_thread(chromium, "--dump-dom", tab)
    frames = {
        name: html.unescape(src)
        for src, name in re.findall(r'src="(/render\?[^"]+)"[^>]*id="user-metadata-(\w+)"', page)
    }
    assert set(frames) == {"summary", "details"}, page[-2000:]
    for name, src in frames.items():
        rendered = await asyncio.to_thread(chromium, "--dump-dom", f"{ui}{src}")
        main = re.search(r"<main>(.*)</main>", rendered, re.S)
        assert main, rendered[-2000:]
        tags = set(re.findall(r"<(\w+)", main.group(1)))
        assert tags <= {"p", "ul", "li", "strong"}, (name, main.group(1))  # ours alone
        assert HOSTILE in html.unescape(re.sub(r"<[^>]+>", "", main.group(1))), name
    assert "prod-456: 2 at 19.99 USD each" in rendered  # the details' line, its words apart
