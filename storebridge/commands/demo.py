"""``storebridge demo`` (what ``make run`` runs): the whole service on embedded defaults.

Starts whatever is missing (Valkey, PostgreSQL, moto S3 unless ``REDIS_URL`` / ``DATABASE_URL`` /
``S3_ENDPOINT`` are set) and the API sandbox at its real rate limits, migrates, then runs the real
processes — ``storebridge daemon`` and ``storebridge worker`` (Dramatiq) — enqueues the sandbox
catalog on the intake stream, shows live progress, enqueues it again (unchanged items must cost
no Naver call) and ends with a summary: outcomes, reasons, API calls per product, 429s and
duplicates.

Ctrl-C (or SIGTERM) stops everything cleanly and says what it is waiting for: the daemon and the
workers get one SIGTERM each (they run in sessions of their own, so the terminal's signal reaches
them only through here), the workers hand their messages back (limiter waits and retry backoffs
end at once, ``storebridge.shutdown``), and until they have exited a line such as
``stopping: waiting for worker, daemon (in flight: 2 messages, 7 items)…`` is printed. A second
Ctrl-C forces it: each child gets its second signal ("exit at once"), and SIGKILL
``FORCE_KILL_AFTER_S`` later. Bad service URLs end the demo with one line before anything starts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp

from storebridge.config import explicit_service_urls, load_settings
from storebridge.devstack import DevStack, ServiceUnavailable, free_port
from storebridge.logs import configure_logging

if TYPE_CHECKING:
    from storebridge.devstack import Child
    from storebridge.keys import Keys
    from storebridge.sandbox.stats import ApiCounts


class Interrupted(Exception):
    """Ctrl-C or SIGTERM during the demo: stop the children and the services, then exit 130."""


#: States after which an item needs nothing more in this run.
SETTLED = ("COMPLETED", "MANUAL_REVIEW", "FAILED", "SUSPENDED")
#: After a forced stop (second Ctrl-C), children still running this long later are killed (s).
FORCE_KILL_AFTER_S = 5.0
#: Without a second Ctrl-C, children still running this long after the first are killed (s): more
#: than ``storebridge worker`` grants its groups (the demo's SHUTDOWN_TIMEOUT_S 10 + 15 s).
STOP_BOUND_S = 40.0
#: How often the stopping line is refreshed while children run (s).
STOP_POLL_S = 1.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` subcommand."""
    parser = subparsers.add_parser("demo", help="run the whole service against the sandbox (make run)")
    parser.add_argument("--items", type=int, default=40, help="catalog items to sync (default: 40)")
    parser.add_argument("--seed", type=int, default=1, help="sandbox catalog seed (default: 1)")
    parser.add_argument("--timeout-s", type=float, default=300.0, help="give up waiting after (default: 300)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Start the stack, run the demo, stop everything (also on Ctrl-C)."""
    if args.items < 1:
        print("storebridge demo: --items must be at least 1", file=sys.stderr)
        return 2
    configure_logging("WARNING", "text")
    try:
        with DevStack(explicit_service_urls()) as stack:
            print("Services:", ", ".join(f"{k}={_safe(v)}" for k, v in stack.urls.items()), flush=True)
            try:
                return asyncio.run(_demo(args, stack.urls))
            except Interrupted:
                print("\nInterrupted: daemon, workers and services stopped.", file=sys.stderr)
                return 130
    except ServiceUnavailable as exc:
        print(f"storebridge demo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
        return 130


def _safe(url: str) -> str:
    """A URL without its credentials, for printing."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else url


async def _demo(args: argparse.Namespace, urls: dict[str, str]) -> int:  # noqa: PLR0915 - the demo script, step by step
    import redis.asyncio as aioredis

    from schemas.messages import IntakeEntry
    from storebridge.commands.preflight import probe_services
    from storebridge.devstack import Child, wait_healthy
    from storebridge.intake import enqueue_entries
    from storebridge.keys import Keys
    from storebridge.sandbox.runner import Sandbox, SandboxOptions
    from storebridge.sandbox.stats import snapshot
    from storebridge.store import StateStore, migrate

    stop, force = asyncio.Event(), asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal() -> None:
        (force if stop.is_set() else stop).set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)
    with tempfile.TemporaryDirectory(prefix="storebridge-demo-") as tmp:
        work = Path(tmp)
        (work / "prom").mkdir()
        async with Sandbox(SandboxOptions(items=args.items, seed=args.seed)) as sandbox:
            print(
                f"Sandbox: Domeggook {sandbox.domeggook_api_url}  Naver {sandbox.naver_api_url}", flush=True
            )
            port = free_port()
            env = {
                **os.environ,
                **sandbox.environment(),
                **urls,
                "DAEMON_HOST": "127.0.0.1",
                "DAEMON_PORT": str(port),
                "LOG_FORMAT": "text",
                "LOG_LEVEL": "WARNING",
                "PROMETHEUS_MULTIPROC_DIR": str(work / "prom"),
                "RETRY_BACKOFF_BASE": "5",
                "SHUTDOWN_TIMEOUT_S": "10",
                "INTAKE_BATCH_SIZE": "10",
            }
            settings = load_settings(**{k: v for k, v in env.items() if k.isupper()})
            await probe_services(settings, redis=True, database=True, s3=True)
            await migrate(settings.database_url.get_secret_value())
            keys = Keys(settings.redis_namespace)
            numbers = [item.no for item in sandbox.catalog]
            redis = aioredis.Redis.from_url(settings.redis_url.get_secret_value())
            async with (
                StateStore.from_settings(settings) as store,
                aiohttp.ClientSession() as http,
                Child("daemon", ["daemon"], env, work) as daemon,
                Child("worker", ["worker"], env, work) as worker,
            ):
                try:
                    await _until(wait_healthy(port, daemon), stop)
                    print(
                        f"Daemon healthy on http://127.0.0.1:{port}/health (metrics at /metrics); "
                        f"workers: queues normal and batch",
                        flush=True,
                    )
                    now_ms = int(time.time() * 1000)
                    entries = [
                        IntakeEntry(item_no=no, queue="batch", reason="import", enqueued_at_ms=now_ms)
                        for no in numbers
                    ]
                    started = time.monotonic()
                    await enqueue_entries(redis, keys, entries)
                    print(
                        f"Enqueued {len(numbers)} items on the intake stream; "
                        f"Naver at {settings.naver_max_tps}/s per API...",
                        flush=True,
                    )
                    first = await _wait_settled(store, len(numbers), (worker, daemon), stop, args.timeout_s)
                    elapsed_s = time.monotonic() - started
                    stats1 = await snapshot(http, sandbox)
                    since = datetime.now(UTC)
                    await enqueue_entries(
                        redis, keys, [e.model_copy(update={"reason": "resync"}) for e in entries]
                    )
                    print("Enqueued the same items again (nothing changed at Domeggook)...", flush=True)
                    second = await _wait_unchanged(
                        store, first.get("COMPLETED", 0), since, (worker, daemon), stop, args.timeout_s
                    )
                    stats2 = await snapshot(http, sandbox)
                    failures = await store.recent_failures(limit=500)
                finally:
                    print("Stopping daemon and workers...", flush=True)
                    await _stop_children((worker, daemon), redis, keys, force)
                    await redis.aclose()
            _summary(first, second, elapsed_s, stats1, stats2, failures, len(numbers))
    return 0


async def _until(work: Any, stop: asyncio.Event) -> Any:
    """Await ``work`` unless a stop signal comes first (then ``Interrupted``)."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if task not in done:
        task.cancel()
        raise Interrupted
    stopper.cancel()
    return task.result()


async def _stop_children(children: tuple[Child, ...], redis: Any, keys: Keys, force: asyncio.Event) -> None:
    """SIGTERM each child once, then say what is awaited until they exit; a second Ctrl-C forces it."""
    for child in children:
        child.signal(signal.SIGTERM)
    started = time.monotonic()
    kill_at = started + STOP_BOUND_S
    forced = False
    last = ""
    force_waiter = asyncio.ensure_future(force.wait())
    try:
        while running := [child for child in children if child.running]:
            if force.is_set() and not forced:
                forced = True
                kill_at = time.monotonic() + FORCE_KILL_AFTER_S
                print("forcing: stopping at once (unfinished messages return to the queue)", flush=True)
                for child in running:
                    child.signal(signal.SIGTERM)  # the second signal: "exit at once"
            if time.monotonic() > kill_at:
                print(f"killing: {', '.join(c.name for c in running)} did not stop", flush=True)
                for child in running:
                    child.signal(signal.SIGKILL)
            names = ", ".join(child.name for child in running)
            line = f"stopping: waiting for {names}{await _in_flight(redis, keys)}…"
            if line != last:
                hint = "" if forced else " (Ctrl-C again to force)"
                print(f"  {line}{hint}", flush=True)
                last = line
            waits = {asyncio.ensure_future(child.wait()) for child in running}
            await asyncio.wait(
                {*waits, force_waiter}, timeout=STOP_POLL_S, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waits:
                waiter.cancel()
    finally:
        force_waiter.cancel()
    print(f"  stopped in {time.monotonic() - started:.1f} s", flush=True)


async def _in_flight(redis: Any, keys: Keys) -> str:
    """`` (in flight: M messages, N items)``: what the workers still hold, from Dramatiq's own keys.

    Dramatiq's Redis broker keeps every message a worker process fetched in that process's
    ``{ns}:__acks__.{worker}.{queue}`` set until it is acked or handed back, and the message itself
    in ``{ns}:{queue}.msgs`` (``dramatiq/brokers/redis/dispatch.lua``). Empty when unknown.
    """
    import json

    namespace = keys.dramatiq_namespace
    messages = items = 0
    with contextlib.suppress(Exception):  # a progress line must never fail the stop
        async for raw_key in redis.scan_iter(match=f"{namespace}:__acks__.*", count=100):
            key = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
            queue = key.partition("__acks__.")[2].partition(".")[2]  # after the worker id: normal, normal.DQ
            ids = list(await redis.smembers(key))
            messages += len(ids)
            for body in await redis.hmget(f"{namespace}:{queue}.msgs", ids) if ids else []:
                with contextlib.suppress(ValueError, LookupError, TypeError, AttributeError):
                    items += len(json.loads(body)["args"][0]["item_nos"])
        return f" (in flight: {messages} message(s), {items} item(s))"
    return ""


def _check(children: tuple[Any, ...], stop: asyncio.Event) -> None:
    if stop.is_set():
        raise Interrupted
    for child in children:
        if not child.running:
            raise RuntimeError(f"{child.name} exited:\n{child.tail()}")


async def _wait_settled(
    store: Any, total: int, children: tuple[Any, ...], stop: asyncio.Event, timeout_s: float
) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    last = ""
    while True:
        counts = {s.value: n for s, n in (await store.counts_by_state()).items() if n}
        line = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        if line != last:
            print(f"  {sum(counts.get(s, 0) for s in SETTLED)}/{total} settled: {line}", flush=True)
            last = line
        if sum(counts.get(s, 0) for s in SETTLED) >= total or time.monotonic() > deadline:
            return counts
        _check(children, stop)
        await asyncio.sleep(1.0)


async def _wait_unchanged(
    store: Any,
    expected: int,
    since: datetime,
    children: tuple[Any, ...],
    stop: asyncio.Event,
    timeout_s: float,
) -> dict[str, int]:
    deadline = time.monotonic() + timeout_s
    while True:
        events = await store.event_counts(since=since)
        if events.get("UNCHANGED", 0) >= expected or time.monotonic() > deadline:
            return dict(events)
        _check(children, stop)
        await asyncio.sleep(0.5)


def _summary(
    first: dict[str, int],
    second: dict[str, int],
    elapsed_s: float,
    stats1: ApiCounts,
    stats2: ApiCounts,
    failures: list[Any],
    total: int,
) -> None:
    registered = stats1.products
    print("\n=== Summary ===")
    print(
        f"First pass ({elapsed_s:.1f} s, {total} items): "
        + ", ".join(f"{k} {v}" for k, v in sorted(first.items()))
    )
    reasons: dict[str, list[Any]] = {}
    for row in failures:
        reasons.setdefault(row.last_error_code or "?", []).append(row)
    if reasons:
        print("Manual review / failed, by reason:")
        for code, rows in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(rows):3d} × {code}  e.g. {rows[0].last_error_message}"[:160])
    per_product = stats1.naver_product_calls / registered if registered else 0.0
    print(
        f"Naver calls: {stats1.naver_product_calls} for {registered} products registered "
        f"({per_product:.2f} per product, incl. image uploads and rejected creates)"
    )
    print(
        f"Domeggook calls: {stats1.domeggook_calls} for {total} items "
        f"({stats1.domeggook_calls / total:.2f} per item, batched getItemView)"
    )
    print(
        f"Second pass: {second.get('UNCHANGED', 0)} unchanged; Naver calls in all "
        f"{stats2.naver_product_calls - stats1.naver_product_calls}"
    )
    print(
        f"429s received: Naver {stats2.naver_429}, Domeggook {stats2.domeggook_429}; "
        f"duplicate products on Naver: {stats2.duplicates}"
    )
    with contextlib.suppress(Exception):
        sys.stdout.flush()
