"""``storebridge worker``'s own endpoints: ``GET /health`` (queue groups alive) and ``GET /metrics``.

Dramatiq's worker processes write their samples (StoreBridge's and Dramatiq's) as files into
``PROMETHEUS_MULTIPROC_DIR`` but serve nothing: ``workers.middleware.dramatiq_metrics`` turns the
exposition server Dramatiq would fork per command off, and in Kubernetes the daemon runs in another
pod with another directory. So the supervisor serves its pod, on ``WORKER_METRICS_PORT``:

- ``/metrics``: every sample of the directory, added up as prometheus_client's
  ``MultiProcessCollector`` does, plus what multiprocess mode cannot give: the directory's own
  health (``storebridge_multiproc_files``, ``storebridge_multiproc_bytes``,
  ``storebridge_multiproc_collect_errors_total``) and the CPU and memory of every live process that
  writes into it (``storebridge_worker_cpu_seconds_total``,
  ``storebridge_worker_resident_memory_bytes``, label ``pid``, read from ``/proc``; multiprocess mode
  exports no ``process_*`` metrics). A torn or unreadable file counts as a collection error and the
  rest is still served.
- ``/health``: 200 while every queue group runs (or waits for a restart the supervisor scheduled),
  503 once one is given up or the command is stopping (``Supervisor.health``).

The server is the daemon's aiohttp application (``storebridge.health``) on its own event loop in a
daemon thread, because the supervisor's loop is a plain blocking poll in the main thread, which
also owns the signal handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from storebridge.health import create_health_app
from storebridge.serve import ServedApp

logger = logging.getLogger(__name__)

#: ``counter_1234.db``, ``gauge_livesum_1234.db``: the pid of the process that writes the file.
PID_IN_NAME = re.compile(r"_(\d+)\.db$")
#: How long ``MetricsServer.start`` waits for the socket to be bound (seconds).
START_TIMEOUT_S = 10.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def process_usage(pid: int) -> tuple[float, int] | None:
    """CPU seconds (user + system) and resident bytes of a live process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": fields from "state" on
    utime, stime, rss_pages = int(fields[11]), int(fields[12]), int(fields[21])
    return (utime + stime) / _CLOCK_TICKS, rss_pages * _PAGE_SIZE


class DirectoryHealth:
    """A collector: the multiprocess directory's files, bytes and failed collections, and the CPU
    and memory of the processes writing into it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors = 0
        self._lock = threading.Lock()

    def failed(self) -> None:
        """Count one collection of the directory that raised."""
        with self._lock:
            self.errors += 1

    def collect(self) -> Iterator[Metric]:
        """The metric families (prometheus_client's custom collector protocol)."""
        files = list(self.path.glob("*.db")) if self.path.is_dir() else []
        size = 0
        for file in files:
            try:
                size += file.stat().st_size
            except OSError:  # a process's file removed while we look
                continue
        yield GaugeMetricFamily(
            "storebridge_multiproc_files", "Sample files in PROMETHEUS_MULTIPROC_DIR", len(files)
        )
        yield GaugeMetricFamily(
            "storebridge_multiproc_bytes", "Bytes of sample files in PROMETHEUS_MULTIPROC_DIR", size
        )
        errors = CounterMetricFamily(
            "storebridge_multiproc_collect_errors", "Collections of PROMETHEUS_MULTIPROC_DIR that failed"
        )
        errors.add_metric([], self.errors)
        yield errors
        cpu = CounterMetricFamily(
            "storebridge_worker_cpu_seconds", "CPU seconds of processes writing samples", labels=["pid"]
        )
        memory = GaugeMetricFamily(
            "storebridge_worker_resident_memory_bytes",
            "Resident memory of processes writing samples",
            labels=["pid"],
        )
        for pid in sorted({int(m.group(1)) for f in files if (m := PID_IN_NAME.search(f.name))}):
            usage = process_usage(pid)
            if usage is not None:
                cpu.add_metric([str(pid)], usage[0])
                memory.add_metric([str(pid)], usage[1])
        yield cpu
        yield memory


def metrics_renderer(multiproc_dir: str) -> Callable[[], bytes]:
    """``/metrics`` of a worker pod: the directory's samples (if any) plus ``DirectoryHealth``."""
    path = Path(multiproc_dir) if multiproc_dir else None
    health = DirectoryHealth(path) if path is not None else None

    def render() -> bytes:
        body = b""
        if path is not None and health is not None:
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=str(path))  # type: ignore[no-untyped-call]
            try:
                body = generate_latest(registry)
            except Exception as exc:  # a torn or unreadable file: count it, serve the rest
                health.failed()
                logger.warning("worker.metrics.collect_failed", extra={"error": type(exc).__name__})
            own = CollectorRegistry()
            own.register(health)
            body += generate_latest(own)
        return body

    return render


class MetricsServer:
    """``/health`` + ``/metrics`` on ``host:port`` in a daemon thread; ``stop()`` is idempotent."""

    def __init__(
        self, health: Callable[[], dict[str, bool]], *, multiproc_dir: str, host: str, port: int
    ) -> None:
        self._health = health
        self._multiproc_dir = multiproc_dir
        self.host, self.port = host, port
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Bind and serve; False (logged) when the port cannot be had: the workers run anyway,
        and the failing probes say so (a busy port on a laptop must not stop the work)."""
        self._thread = threading.Thread(target=self._run, name="worker-metrics", daemon=True)
        self._thread.start()
        self._ready.wait(START_TIMEOUT_S)
        if self._error is not None or not self._ready.is_set():
            error = type(self._error).__name__ if self._error is not None else "TimeoutError"
            logger.error("worker.metrics.unavailable", extra={"port": self.port, "error": error})
            return False
        logger.info("worker.metrics.serving", extra={"host": self.host, "port": self.port})
        return True

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._stop is not None:
            # A server that could not bind (port busy) has already ended and closed its loop.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_S)
            self._thread = None

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # reported by start(); the thread ends quietly
            self._error = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()

        async def check() -> dict[str, bool]:
            return self._health()

        app = create_health_app(check, render_metrics=metrics_renderer(self._multiproc_dir))
        async with ServedApp(app, host=self.host, port=self.port) as served:
            self.port = served.port
            self._ready.set()
            await self._stop.wait()
