"""The daemon's only HTTP endpoints: ``GET /health`` (liveness of its dependencies) and ``GET /metrics``.

``/health`` answers 200 ``{"status": "ok", "components": {"redis": true, "postgres": true}}`` when
every component answers, 503 with ``"status": "fail"`` and the failing components listed
otherwise. Every probe is bounded by a timeout, and so is the whole check: a hung dependency must
turn into a 503 the orchestrator can act on, never into a probe that hangs until it is killed.

``/metrics`` is Prometheus text. With a multiprocess directory (``settings.prometheus_multiproc_dir``,
passed in explicitly) each scrape reads every process's files into a fresh ``CollectorRegistry``
through ``MultiProcessCollector`` (as prometheus_client documents it); without one it exposes the
default registry. Rendering runs in a thread because reading the files is blocking I/O.
Any other path is 404 (a wrong method on these two paths is 405).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping

import redis.asyncio as aioredis
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from storebridge.store import StateStore

#: Longest one component probe may take before it counts as down (seconds).
PROBE_TIMEOUT_S = 2.0
#: Longest the whole health check may take before ``/health`` answers 503 (seconds).
CHECK_TIMEOUT_S = 5.0

Check = Callable[[], Awaitable[dict[str, bool]]]
Probe = Callable[[], Awaitable[bool]]

log = logging.getLogger(__name__)


async def _probe(name: str, probe: Probe, timeout_s: float) -> bool:
    """One probe's verdict: False on timeout or any error (logged), never raises."""
    try:
        return bool(await asyncio.wait_for(probe(), timeout_s))
    except TimeoutError:
        log.warning("health.probe.timeout", extra={"component": name, "timeout_s": timeout_s})
    except Exception as exc:
        log.warning("health.probe.failed", extra={"component": name, "error": type(exc).__name__})
    return False


def combined_check(probes: Mapping[str, Probe], *, timeout_s: float = PROBE_TIMEOUT_S) -> Check:
    """A check that runs every probe concurrently, each bounded by ``timeout_s``."""
    names = list(probes)

    async def check() -> dict[str, bool]:
        verdicts = await asyncio.gather(*(_probe(name, probes[name], timeout_s) for name in names))
        return dict(zip(names, verdicts, strict=True))

    return check


def default_checks(redis: aioredis.Redis, store: StateStore, *, timeout_s: float = PROBE_TIMEOUT_S) -> Check:
    """Redis ``PING`` and PostgreSQL ``SELECT 1`` (``StateStore.ping``), as ``redis`` and ``postgres``."""

    async def ping_redis() -> bool:
        return bool(await redis.ping())

    return combined_check({"redis": ping_redis, "postgres": store.ping}, timeout_s=timeout_s)


def _metrics_text(multiproc_dir: str | None) -> bytes:
    if multiproc_dir is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=multiproc_dir)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def create_health_app(
    check: Check,
    *,
    multiproc_dir: str | None = None,
    check_timeout_s: float = CHECK_TIMEOUT_S,
    render_metrics: Callable[[], bytes] | None = None,
) -> web.Application:
    """The ``/health`` + ``/metrics`` application (serve it with ``ServedApp``).

    ``multiproc_dir``: the shared ``PROMETHEUS_MULTIPROC_DIR`` (must exist), or None/"" for the
    default registry. A directory given to a process whose prometheus_client is not in multiprocess
    mode is logged: that process's own samples would then be missing from ``/metrics``.
    ``render_metrics`` replaces the default rendering (``storebridge worker`` adds the directory's
    own health and its processes' CPU and memory, ``workers.pod_metrics``); it runs in a thread.
    """
    directory = multiproc_dir or None
    if render_metrics is not None:
        render = render_metrics
    else:

        def render() -> bytes:
            return _metrics_text(directory)

    if directory is not None and render_metrics is None:
        # Imported here: defining StoreBridge's metrics writes sample files, which a process that
        # only serves a directory (``storebridge worker``) must not add to it.
        from storebridge.metrics import multiprocess_active

        if not os.path.isdir(directory):
            raise ValueError(f"PROMETHEUS_MULTIPROC_DIR: {directory!r} is not a directory")
        if not multiprocess_active():
            log.warning("metrics.multiprocess_inactive", extra={"multiproc_dir": directory})

    async def health(request: web.Request) -> web.Response:
        try:
            components = await asyncio.wait_for(check(), check_timeout_s)
        except TimeoutError:
            log.warning("health.check.timeout", extra={"timeout_s": check_timeout_s})
            body = {"status": "fail", "components": {}, "failing": ["check_timeout"]}
            return web.json_response(body, status=503)
        except Exception as exc:
            log.warning("health.check.failed", extra={"error": type(exc).__name__})
            body = {"status": "fail", "components": {}, "failing": ["check_error"]}
            return web.json_response(body, status=503)
        failing = sorted(name for name, ok in components.items() if not ok)
        if failing:
            body = {"status": "fail", "components": components, "failing": failing}
            return web.json_response(body, status=503)
        return web.json_response({"status": "ok", "components": components})

    async def metrics(request: web.Request) -> web.Response:
        text = await asyncio.to_thread(render)
        return web.Response(body=text, headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/health", health, allow_head=False)
    app.router.add_get("/metrics", metrics, allow_head=False)
    return app
