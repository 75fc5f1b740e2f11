"""`order-saga dev` supervises what it starts: it refuses ports held by others, restarts a
dead dev server on the same state, and gives up, non-zero, when it keeps dying."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from order_saga.embedded.stack import port_open
from tests.helpers import clean_env
from tests.processes import BIN, children, read_until

STACK_PORTS = (7233, 8233, 12111, 8000)
pytestmark = pytest.mark.skipif(
    any(port_open("127.0.0.1", p) for p in STACK_PORTS), reason="a stack already runs here"
)
ORDER = ["--customer-id", "c1", "--item", "prod-123:1:129.00", "--street", "1 Main St",
         "--city", "Springfield", "--zip-code", "62701"]  # fmt: skip


def next_server(dev: subprocess.Popen[bytes], not_this: int | None) -> int:
    """The dev server's pid once there is one other than `not_this`."""
    deadline = time.monotonic() + 30
    while True:
        pids = [p for p in children(dev.pid) if p != not_this]
        if pids:
            return pids[0]
        assert time.monotonic() < deadline and dev.poll() is None, "no dev server came back"
        time.sleep(0.05)  # polling /proc for the restarted child, with a deadline


def state_of(order_id: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [BIN / "order-saga", "status", order_id, "-o", "json"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["state"])


def test_a_port_held_by_another_process_is_refused_before_anything_starts(tmp_path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 8233))
        held.listen()
        done = subprocess.run(
            [BIN / "order-saga", "dev"], cwd=tmp_path, env=clean_env(),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "order-saga: port 8233 (the Temporal Web UI) is already in use by another process; "
        "stop it (another `order-saga dev`?) or run `order-saga demo`, which uses a stack "
        "already running\n"
    )
    assert not (tmp_path / ".data" / "temporal.db").exists()


def test_a_dead_dev_server_comes_back_on_its_state_until_it_keeps_dying(tmp_path) -> None:
    env = clean_env()
    dev = subprocess.Popen(
        [BIN / "order-saga", "dev"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        read_until(dev, "Ready.", seconds=90)
        before = subprocess.run(
            [BIN / "order-saga", "start", *ORDER, "--handover-delay", "3600", "--order-id",
             "o-before"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert before.returncode == 0, before.stderr
        deadline = time.monotonic() + 60
        while state_of("o-before", tmp_path, env) != "AWAITING_HANDOVER":
            assert time.monotonic() < deadline
            time.sleep(0.2)  # polling the order's own state, with a deadline

        server = next_server(dev, None)
        os.kill(server, signal.SIGKILL)
        said = read_until(dev, "restarting it on the same state", seconds=30, stream="stderr")
        assert "the Temporal dev server exited (code -9" in said

        assert state_of("o-before", tmp_path, env) == "AWAITING_HANDOVER"  # the same state
        shipped = subprocess.run(
            [BIN / "order-saga", "start", *ORDER, "--handover-delay", "0", "--wait"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert shipped.returncode == 0, shipped.stderr

        for _ in range(3):  # three more deaths within the minute: it stops trying
            server = next_server(dev, server)
            os.kill(server, signal.SIGKILL)
        _, rest = dev.communicate(timeout=60)
    finally:
        dev.kill()
        dev.communicate()
    assert dev.returncode == 1
    assert rest.decode().splitlines()[-1].endswith("4 times in a row; stopped everything")
    assert not any(port_open("127.0.0.1", p) for p in STACK_PORTS)


def test_ctrl_c_during_the_demo_stops_it_quietly(tmp_path) -> None:
    demo = subprocess.Popen(
        [BIN / "order-saga", "demo"], cwd=tmp_path, env=clean_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not port_open("127.0.0.1", 7233):  # the demo is bringing its stack up
        assert time.monotonic() < deadline and demo.poll() is None
        time.sleep(0.05)
    os.killpg(demo.pid, signal.SIGINT)  # what Ctrl-C at a terminal does: the whole group
    _, err = demo.communicate(timeout=60)
    assert (demo.returncode, err.decode()) == (130, "")
    assert not any(port_open("127.0.0.1", p) for p in STACK_PORTS)
