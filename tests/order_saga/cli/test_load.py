"""`order-saga load` runs sagas against a running stack and reports figures a script can read."""

from __future__ import annotations

import json

from tests.processes import order_saga


def test_load_runs_the_mix_and_reports_throughput_latency_and_outcomes(
    dev_server: str, cli_env: dict[str, str], worker_process
) -> None:
    done = order_saga(
        "load",
        "--count",
        "6",
        "--concurrency",
        "3",
        "--mix",
        "success=1,decline=1",
        "--output",
        "json",
        "--address",
        dev_server,
        env=cli_env,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # one JSON object on stdout, the progress bar on stderr
    assert report["count"] == 6 and report["concurrency"] == 3
    assert sum(report["outcomes"].values()) == 6
    assert set(report["outcomes"]) <= {"COMPLETED", "COMPENSATED"}
    assert report["sagas_per_second"] > 0
    assert 0 < report["p50_seconds"] <= report["p95_seconds"] <= report["p99_seconds"]


def test_an_unknown_kind_in_the_mix_is_one_line(cli_env: dict[str, str]) -> None:
    done = order_saga("load", "--mix", "success=1,teleport=1", env=cli_env)
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "order-saga: --mix: unknown kind 'teleport'; known: success, decline, reject"
    )
