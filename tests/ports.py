"""Free ports for the servers a test starts."""

from __future__ import annotations

import random
import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_for_a_late_server() -> int:
    """A free port below the kernel's ephemeral range, for a server that starts after its
    clients: a client retrying a connect to an unused port inside that range can be given
    the same port as its own source and connect to itself, which holds the port the server
    then fails to bind ("address already in use")."""
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")  # Linux; elsewhere IANA's range
    low = int(ranges.read_text().split()[0]) if ranges.exists() else 49152
    for port in random.sample(range(10_000, low), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between 10000 and {low}")
