"""Configuration faults said in one line, exit 1: a Temporal address or profile, a setting,
a namespace, a database URL or an unreachable database, the worker's own options."""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.processes import BIN, order_saga


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--address", "localhost"], {}, "Temporal address 'localhost': expected host:port"),
        (["--address", "localhost:port"], {}, "Temporal address 'localhost:port'"),
        (["--address", "no-such-host.invalid:7233"], {}, "the host name does not resolve"),
        (["--profile", "nope"], {}, "Temporal configuration: Profile 'nope' not found"),
        ([], {"STRIPE_TIMEOUT_SECONDS": "soon"}, "invalid setting: stripe_timeout_seconds"),
    ],
)
def test_temporal_and_settings_faults_are_one_line(args, env, message, cli_env) -> None:
    done = order_saga("status", "o-1", *args, env={**cli_env, **env})
    assert (done.returncode, done.stderr.count("\n")) == (1, 1), done.stderr
    assert done.stderr.startswith("order-saga: ") and message in done.stderr


def test_an_unknown_namespace_is_one_line(dev_server, cli_env) -> None:
    done = order_saga("status", "o-1", "--namespace", "nope", "--address", dev_server, env=cli_env)
    assert (done.returncode, done.stderr.count("\n")) == (1, 1), done.stderr
    assert "nope" in done.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "DATABASE_URL is not a database URL"),
        ("mysql://u@h/db", "DATABASE_URL 'mysql://u@h/db': expected sqlite:///PATH or"),
        ("postgresql://postgres@127.0.0.1:1/test", "database: (psycopg.OperationalError)"),
    ],
)
def test_database_faults_are_one_line(url, message, cli_env) -> None:
    done = order_saga("migrate", env={**cli_env, "DATABASE_URL": url})
    assert (done.returncode, done.stderr.count("\n")) == (1, 1), done.stderr
    assert done.stderr.startswith(f"order-saga: {message}")


def test_worker_configuration_faults_are_one_line(cli_env) -> None:
    with socket.socket() as held:
        held.bind(("0.0.0.0", 0))
        held.listen()
        port = str(held.getsockname()[1])
        for args, env, message in [
            ([], {"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database URL"),
            (["--metrics-port", port], {}, "Address already in use"),
            (["--address", "localhost"], {}, "expected host:port"),
        ]:
            done = subprocess.run(
                [BIN / "order-saga-worker", *args], env={**cli_env, **env},
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 1, done.stderr
            assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    usage = subprocess.run(
        [BIN / "order-saga-worker", "--metrics-port", "70000"], env=cli_env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (usage.returncode, usage.stderr) == (
        2,
        "order-saga-worker: --metrics-port '70000': expected a port number, 1-65535\n",
    )
