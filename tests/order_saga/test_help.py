"""What `--help` shows, as a user reads it in a terminal."""

from __future__ import annotations

import subprocess

import pytest

from tests.processes import BIN

COMMANDS = [
    ["order-saga", "--help"],
    ["order-saga", "start", "--help"],
    ["order-saga", "status", "--help"],
    ["order-saga", "list", "--help"],
    ["order-saga", "resolve", "--help"],
    ["order-saga", "dev", "--help"],
    ["order-saga-worker", "--help"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_no_python_types_for_flags_or_repeatable_options(command: list[str]) -> None:
    """A flag takes no value and an order line is SKU:QTY:PRICE: help says neither `<bool>` nor
    `<list[str]>`."""
    shown = subprocess.run(
        [BIN / command[0], *command[1:]],
        capture_output=True,
        text=True,
        env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert "--help" in shown.stdout
    for python_type in ("<bool>", "<list[str]>", "list[", "<NoneType>"):
        assert python_type not in shown.stdout, (python_type, shown.stdout)
    if command[1:2] == ["start"]:
        assert "SKU:QTY:PRICE" in shown.stdout


def test_a_commands_help_flows_to_the_terminals_width() -> None:
    """A docstring's source line breaks are not the help's: on a wide terminal each command's
    line is whole."""
    shown = subprocess.run(
        [BIN / "order-saga", "--help"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    dev = next(line for line in shown.stdout.splitlines() if line.startswith("│ dev "))
    assert "database, worker, HTTP order API." in dev, shown.stdout
