"""The compose file's structure, checked without a Docker engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from activities import queues

ROOT = Path(__file__).parent.parent
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load((ROOT / "docker-compose.temporal.yml").read_text())
    result: dict[str, dict[str, Any]] = document["services"]
    return result


def test_every_service_runs_something_and_depends_on_real_services(services) -> None:
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        depends = service.get("depends_on", {})
        for dependency, rule in depends.items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert rule["condition"] in CONDITIONS, name
    assert (ROOT / "Dockerfile").exists()


def test_temporal_runs_on_postgres_with_schema_from_the_admin_tools(services) -> None:
    temporal = services["temporal"]
    assert temporal["image"].startswith("temporalio/server:")
    assert temporal["environment"]["DB"] == "postgres12"
    assert temporal["environment"]["POSTGRES_SEEDS"] == "temporal-db"
    schema = services["temporal-schema"]
    assert schema["image"].startswith("temporalio/admin-tools:")
    script = " ".join(schema["command"])
    assert "setup-schema" in script and "update-schema" in script
    assert temporal["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_search_attributes_the_saga_sets_are_registered(services) -> None:
    script = " ".join(services["temporal-setup"]["command"])
    for name in ("OrderStatus", "CustomerId", "OrderTotal"):
        assert f"--name {name}" in script


def test_one_worker_container_per_service_built_from_the_project(services) -> None:
    workers = {name: s for name, s in services.items() if name.startswith("worker-")}
    assert sorted(workers) == sorted(f"worker-{service}" for service in queues.SERVICES)
    for name, worker in workers.items():
        assert worker["build"] == "."
        command = worker["command"]
        assert command[:3] == ["order-saga-worker", "--service", name.removeprefix("worker-")]
        environment = worker["environment"]
        assert environment["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert "@app-db:" in environment["DATABASE_URL"]
        assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_host_ports_do_not_collide(services) -> None:
    published = [p.split(":")[0] for s in services.values() for p in s.get("ports", [])]
    assert len(published) == len(set(published))
