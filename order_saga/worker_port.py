"""The worker's one port for a deployment: `/metrics` (the Temporal runtime's series, the SDK's
and the saga's, followed by the process's own: CPU, memory, open files, the garbage
collector), `/healthz` (liveness) and `/readyz` (polling, with Temporal and the database
answering). The runtime's exporter cannot serve other paths, so it listens on a loopback port
of its own and this server passes its text on."""

from __future__ import annotations

import os
import socket

import aiohttp
from aiohttp import web
from prometheus_client import (
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.registry import CollectorRegistry
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.runtime import Runtime

from order_saga.metrics import prometheus_runtime
from order_saga.probes import readiness, verdict

TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"  # what both exporters write


def loopback_port() -> int:
    """A free port on 127.0.0.1 for the runtime's exporter, which reports no port it chose."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class WorkerPort:
    """Serves the probes and the metrics from before the worker reaches Temporal: a new
    worker is scraped, and probed as alive but not ready, while it waits."""

    def __init__(self, port: int, host: str = "0.0.0.0") -> None:
        self._address = (host, port)
        exporter_port = loopback_port()
        self._exporter = f"http://127.0.0.1:{exporter_port}/metrics"
        self.runtime: Runtime = prometheus_runtime(exporter_port, host="127.0.0.1")
        self._process = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self._process)
        self._serving: tuple[Client, Engine | None] | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    def serving(self, client: Client, engine: Engine | None) -> None:
        """The workers poll: readiness now asks Temporal (and the database, if used)."""
        self._serving = (client, engine)

    async def __aenter__(self) -> WorkerPort:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, *self._address).start()
        except OSError as err:  # a port in use: a configuration fault, said in one line
            await self._runner.cleanup()
            host, port = self._address
            why = os.strerror(err.errno) if err.errno else str(err)
            raise RuntimeError(f"metrics port {host}:{port}: {why}") from err
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _metrics(self, _: web.Request) -> web.Response:
        assert self._session is not None
        try:
            async with self._session.get(self._exporter) as answer:
                runtime_text = await answer.text()
        except aiohttp.ClientError as err:
            raise web.HTTPServiceUnavailable(text=f"runtime metrics unavailable: {err}") from err
        body = runtime_text.rstrip("\n") + "\n" + generate_latest(self._process).decode()
        return web.Response(body=body.encode(), headers={"Content-Type": TEXT_FORMAT})

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _: web.Request) -> web.Response:
        if self._serving is None:
            ready, results = False, {"workers": "starting: waiting for Temporal or the database"}
        else:
            ready, results = await readiness(*self._serving)
        return web.json_response(
            verdict(ready, results),
            status=200 if ready else 503,
            headers={} if ready else {"Retry-After": "5"},
        )
