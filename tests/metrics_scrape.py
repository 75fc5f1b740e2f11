"""Reading a worker's metrics port, as Prometheus would."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from prometheus_client.parser import text_string_to_metric_families


def probe(port: int, path: str) -> tuple[int, dict[str, Any]]:
    """A deployment's probe of a worker's port: the status code and the JSON it answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        return str(response.read().decode())


def samples(port: int, deadline: float = 30) -> dict[tuple[str, frozenset[Any]], float]:
    """The metrics a worker serves, once it serves them: (name, labels) -> value."""
    give_up = time.monotonic() + deadline
    while True:
        try:
            text = metrics(port)
            break
        except OSError:
            assert time.monotonic() < give_up, "no metrics served"
            time.sleep(0.1)  # the worker is starting
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def saga_counter(found: dict[tuple[str, frozenset[Any]], float], name: str, **labels: str) -> float:
    matches = [v for (n, ls), v in found.items() if n == name and set(labels.items()) <= set(ls)]
    assert len(matches) == 1, (name, labels, matches)
    return matches[0]
