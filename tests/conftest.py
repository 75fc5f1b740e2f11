"""Shared fixtures: the real time-skipping Temporal server, a real database, local Stripe."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.database import transaction
from activities.inventory.catalogue import seed_catalogue
from activities.inventory.stock import set_stock
from activities.inventory.tables import Product
from order_saga.binaries import find_binary
from order_saga.db.engine import make_engine
from order_saga.db.migrate import upgrade
from order_saga.embedded.local_stripe.ledger import Ledger
from order_saga.embedded.local_stripe.serving import serve_in_thread
from order_saga.embedded.local_stripe.state import LocalStripe
from order_saga.embedded.temporal_server import start_local_server
from order_saga.visibility import register_search_attributes
from tests.ports import free_port
from tests.processes import start_worker, stop_worker
from workflows.placement import PLACEMENTS, Placement

POSTGRES_URL = os.environ.get("DATABASE_URL")
# What the quick loop (`./run test -m "not slow"`) leaves out: a test on a Temporal server
# (the time-skipping one or the dev server), and one that runs the programs as processes.
SERVER_FIXTURES = frozenset({"env", "dev_server"})
PROGRAM_TESTS = Path(__file__).parent / "order_saga" / "cli"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SERVER_FIXTURES or PROGRAM_TESTS in item.path.parents:
            item.add_marker(pytest.mark.slow)


def _migrated(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    seed_catalogue(engine)
    return engine


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = _migrated(f"sqlite:///{tmp_path_factory.mktemp('db') / 'orders.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("DATABASE_URL is not set: PostgreSQL runs in CI (.ci/run)")
    engine = _migrated(POSTGRES_URL)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest) -> Engine:
    """Activity and repository tests run on both databases."""
    engine: Engine = request.getfixturevalue(f"{request.param}_engine")
    return engine


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> Engine:
    """Workflow tests use the database the run is configured for (PostgreSQL in CI)."""
    name = "postgres_engine" if POSTGRES_URL else "sqlite_engine"
    result: Engine = request.getfixturevalue(name)
    return result


@pytest.fixture
def make_product(engine: Engine):  # type: ignore[no-untyped-def]
    return product_factory(engine)


def product_factory(engine: Engine):  # type: ignore[no-untyped-def]
    def create(
        stock: int = 100,
        price: str = "19.99",
        currency: str = "usd",
        elsewhere: dict[str, int] | None = None,
    ) -> str:
        """A product with `stock` in the home warehouse and `elsewhere` in others."""
        sku = f"sku-{uuid.uuid4().hex[:10]}"
        with transaction(engine) as session:
            session.add(
                Product(
                    sku=sku, name=sku, unit_price=Decimal(price), currency=currency, stock=stock
                )
            )
        with transaction(engine) as session:
            for warehouse, units in (elsewhere or {}).items():
                set_stock(session=session, sku=sku, warehouse=warehouse, units=units)
        return sku

    return create


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[tuple[LocalStripe, str]]:
    # Refunds that settle later do so in 2 s, so the tests that meet them stay quick.
    state = LocalStripe(ledger=Ledger(refund_settle_seconds=2), state_file=None)
    with serve_in_thread(state) as base_url:
        yield state, base_url


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    """Faults a test injects into the shared Stripe server end with the test."""
    yield
    if "stripe_server" in request.fixturenames:
        request.getfixturevalue("stripe_server")[0].faults.clear()


@pytest.fixture(scope="module")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server per test module: a saga one module leaves running (its
    timers and retries skipped through whenever another test waits on a result) cannot
    stall the time another module's tests skip through."""
    environment = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    await register_search_attributes(environment.client)
    yield environment
    await environment.shutdown()


@pytest.fixture(params=PLACEMENTS)
def placement(request: pytest.FixtureRequest) -> Placement:
    """Both placements, for the tests where it matters where a step runs: the saga's
    outcomes, cancels, retries through outages, the breaker."""
    value: Placement = request.param
    return value


@pytest.fixture
def queue_prefix() -> str:
    return f"tq-{uuid.uuid4()}"


@pytest.fixture
def artifacts() -> Path:
    path = Path(__file__).parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
async def dev_server() -> AsyncIterator[str]:
    """The real dev server (visibility, search attributes), in memory, on a free port."""
    server = await start_local_server(port=free_port())
    try:
        yield server.client.service_client.config.target_host
    finally:
        await server.shutdown()


@pytest.fixture
def cli_env(engine: Engine, stripe_server, queue_prefix: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "STRIPE_API_BASE": stripe_server[1],
        "QUEUE_PREFIX": queue_prefix,
    }


@pytest.fixture
def worker_process(dev_server: str, cli_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = start_worker(dev_server, cli_env)
    yield process
    stop_worker(process)
