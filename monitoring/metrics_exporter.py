"""Worker pods' metrics endpoint: the pod's Prometheus multiprocess directory over HTTP.

Worker pods run plain ``dramatiq`` processes, which write their samples (StoreBridge's and
Dramatiq's) as mmap files into ``PROMETHEUS_MULTIPROC_DIR`` but serve nothing (StoreBridge's
Dramatiq middleware runs no exposition server). This sidecar, shipped in the image as
``docker-entrypoint.sh metrics-exporter``, reads that directory (mounted read-only) and serves:

- ``GET /metrics``: every sample of the directory, aggregated as prometheus_client's
  ``MultiProcessCollector`` does, plus the directory's own health:
  ``storebridge_multiproc_files`` (``*.db`` files), ``storebridge_multiproc_bytes`` and
  ``storebridge_multiproc_collect_errors_total`` (collections that raised).
- ``storebridge_worker_cpu_seconds_total`` and ``storebridge_worker_resident_memory_bytes`` (label
  ``pid``): CPU and memory of every live process that writes into the directory (pids from the
  file names, read from ``/proc``; in Kubernetes the pod sets ``shareProcessNamespace: true``).
  Multiprocess mode exports no ``process_*`` metrics, so this is where worker CPU/memory come from
  outside Kubernetes (compose, tests); in Kubernetes cAdvisor's ``container_*`` metrics also exist.
- ``GET /health``: 200 while the directory can be listed and collected, 503 otherwise.

Only the standard library and prometheus_client: it must not import StoreBridge (nor depend on
its module layout), and it registers nothing of its own in multiprocess mode.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

#: ``counter_1234.db``, ``gauge_livesum_1234.db``: the pid of the process that writes the file.
PID_IN_NAME = re.compile(r"_(\d+)\.db$")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def process_usage(pid: int) -> tuple[float, int] | None:
    """CPU seconds (user + system) and resident bytes of a live process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": fields from "state" on
    utime, stime, rss_pages = int(fields[11]), int(fields[12]), int(fields[21])
    return (utime + stime) / CLOCK_TICKS, rss_pages * PAGE_SIZE


class DirectoryHealth:
    """The multiprocess directory's file count, size and collection errors, as plain metrics."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors = 0
        self.lock = threading.Lock()

    def failed(self) -> None:
        with self.lock:
            self.errors += 1

    def collect(self) -> Iterator[Metric]:
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
        counter = CounterMetricFamily(
            "storebridge_multiproc_collect_errors", "Collections of PROMETHEUS_MULTIPROC_DIR that failed"
        )
        counter.add_metric([], self.errors)
        yield counter
        cpu = CounterMetricFamily(
            "storebridge_worker_cpu_seconds", "CPU seconds of processes writing samples", labels=["pid"]
        )
        memory = GaugeMetricFamily(
            "storebridge_worker_resident_memory_bytes",
            "Resident memory of processes writing samples",
            labels=["pid"],
        )
        pids = sorted({int(m.group(1)) for f in files if (m := PID_IN_NAME.search(f.name))})
        for pid in pids:
            usage = process_usage(pid)
            if usage is not None:
                cpu.add_metric([str(pid)], usage[0])
                memory.add_metric([str(pid)], usage[1])
        yield cpu
        yield memory


def exposition(path: Path, health: DirectoryHealth) -> tuple[bytes, bool]:
    """The text exposition of the directory and whether collecting it worked."""
    ok = True
    body = b""
    if path.is_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(path))
        try:
            body = generate_latest(registry)
        except Exception as exc:  # a torn or unreadable file: report, keep serving
            health.failed()
            print(f"metrics-exporter: collect failed: {exc!r}", file=sys.stderr, flush=True)
            ok = False
    else:
        ok = False
    own = CollectorRegistry()
    own.register(health)
    return body + generate_latest(own), ok


def make_handler(path: Path, health: DirectoryHealth) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] == "/metrics":
                body, _ = exposition(path, health)
                self._answer(200, body, CONTENT_TYPE_LATEST)
            elif self.path.split("?")[0] == "/health":
                ok = path.is_dir() and os.access(path, os.R_OK | os.X_OK)
                if ok:
                    _, ok = exposition(path, health)
                self._answer(200 if ok else 503, b"ok\n" if ok else b"unhealthy\n", "text/plain")
            else:
                self._answer(404, b"not found\n", "text/plain")

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # probes every few seconds: silent
            return

    return Handler


def main() -> int:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
    if not directory:
        print("metrics-exporter: configuration error: PROMETHEUS_MULTIPROC_DIR is not set", file=sys.stderr)
        return 2
    host = os.environ.get("EXPORTER_HOST", "0.0.0.0")  # noqa: S104 - scraped from other pods
    port = int(os.environ.get("EXPORTER_PORT", "9191"))
    path = Path(directory)
    server = ThreadingHTTPServer((host, port), make_handler(path, DirectoryHealth(path)))
    print(
        f"metrics-exporter: serving {path} on {host}:{server.server_address[1]}", file=sys.stderr, flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
