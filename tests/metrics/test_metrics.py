"""Metrics: the name contract on ``/metrics``, multiprocess aggregation across real processes, the
request hook against the sandbox, and the gauge collector on real Redis, PostgreSQL and Dramatiq keys.

Values are read from a fresh ``CollectorRegistry`` per test (``Metrics(registry)``), so no test
depends on, or leaves behind, samples in the process-wide default registry.
"""

from __future__ import annotations

import asyncio
import math
import os
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

import aiohttp
import pytest
import redis
import redis.asyncio as aioredis
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from storebridge.domeggook import DomeggookClient
from storebridge.domeggook.client import REQUEST as DOMEGGOOK_REQUEST
from storebridge.http import ClientSettings, RequestKey
from storebridge.keys import Keys
from storebridge.limiter import LimiterHook, QuotaConfig, RateLimiter, default_buckets
from storebridge.metrics import (
    GaugeCollector,
    Metrics,
    MetricsHook,
    endpoint_label,
    record_sync_results,
    request_labels,
)
from storebridge.naver import NaverClient, NaverNotFound, endpoints
from storebridge.sandbox.runner import Sandbox
from storebridge.serve import ServedApp
from storebridge.store import State, StateStore
from storebridge.sync import COMPLETED_SUCCESS_CODES, FAILURE_OUTCOMES, SUCCESS_OUTCOMES, Outcome, SyncResult

#: The contract: every StoreBridge metric and its type.
CONTRACT = {
    "storebridge_api_requests_total": "counter",
    "storebridge_api_request_duration_seconds": "histogram",
    "storebridge_limiter_wait_seconds": "histogram",
    "storebridge_registrations_total": "counter",
    "storebridge_registration_success_rate": "gauge",
    "storebridge_queue_depth": "gauge",
    "storebridge_rate_limit_remaining": "gauge",
    "storebridge_rate_limit_rate_per_second": "gauge",
    "storebridge_items": "gauge",
    "storebridge_intake_lag_seconds": "gauge",
    "storebridge_domeggook_daily_used": "gauge",
    "storebridge_domeggook_daily_limit": "gauge",
    "storebridge_sweeper_redriven_total": "counter",
    "storebridge_rate_limit_paused_seconds": "gauge",
    "storebridge_naver_operator_hold": "gauge",
}

#: Run in a child process with PROMETHEUS_MULTIPROC_DIR set before prometheus_client is imported.
CHILD_SCRIPT = """
import sys
from storebridge.metrics.definitions import (
    multiprocess_active, observe_api_request, record_sync_result, set_queue_depth,
)
from storebridge.sync import Outcome, SyncResult
assert multiprocess_active(), "prometheus_client did not pick up PROMETHEUS_MULTIPROC_DIR"
observe_api_request("naver", "GET /v1/categories", 200, 0.25)
record_sync_result(SyncResult(market="dome", item_no=1, outcome=Outcome.CREATED, state="COMPLETED"))
set_queue_depth("normal", int(sys.argv[1]))
"""


async def scrape(url: str) -> str:
    """The text of ``GET url``."""
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        assert response.content_type == "text/plain"
        return await response.text()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, keyed by sample name and label set."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    """One sample of a registry (None when absent)."""
    return registry.get_sample_value(name, labels)


@pytest.fixture
def registry() -> CollectorRegistry:
    """A registry of this test's own."""
    return CollectorRegistry()


@pytest.fixture
def metrics(registry: CollectorRegistry) -> Metrics:
    """The full metric set on this test's registry."""
    return Metrics(registry)


# -- the contract and multiprocess -----------------------------------------------------------------


async def test_metrics_endpoint_exposes_exactly_the_contract_names_and_types() -> None:
    from storebridge.health import create_health_app

    async def ok() -> dict[str, bool]:
        return {}

    async with ServedApp(create_health_app(ok)) as served:
        text = await scrape(served.base_url + "/metrics")

    exposed = {
        (f.name + "_total" if f.type == "counter" else f.name): f.type
        for f in text_string_to_metric_families(text)
        if f.name.startswith("storebridge_") and not f.name.endswith("_created")
    }
    assert exposed == CONTRACT


def test_labels_are_the_documented_ones(registry: CollectorRegistry, metrics: Metrics) -> None:
    record_sync_results(
        [SyncResult(market="dome", item_no=7, outcome=Outcome.PRICE_STOCK, state="COMPLETED")],
        metrics=metrics,
    )
    metrics.api_requests.labels("naver", "GET /v1/categories", "200").inc()

    assert value(registry, "storebridge_registrations_total", outcome="price_stock") == 1
    assert (
        value(
            registry,
            "storebridge_api_requests_total",
            api="naver",
            endpoint="GET /v1/categories",
            status="200",
        )
        == 1
    )


async def test_counters_and_histograms_from_two_processes_add_up_and_the_newest_gauge_wins(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for depth in ("7", "3"):  # one after the other, so "3" is the most recent gauge write
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD_SCRIPT, depth, env=env, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await child.communicate()
        assert child.returncode == 0, stderr.decode()
    from storebridge.health import create_health_app

    async def ok() -> dict[str, bool]:
        return {}

    async with ServedApp(create_health_app(ok, multiproc_dir=str(tmp_path))) as served:
        text = await scrape(served.base_url + "/metrics")

    found = samples(text)
    request = frozenset({("api", "naver"), ("endpoint", "GET /v1/categories"), ("status", "200")})
    assert found[("storebridge_api_requests_total", request)] == 2
    timing = frozenset({("api", "naver"), ("endpoint", "GET /v1/categories")})
    assert found[("storebridge_api_request_duration_seconds_count", timing)] == 2
    assert found[("storebridge_api_request_duration_seconds_sum", timing)] == pytest.approx(0.5)
    assert found[("storebridge_registrations_total", frozenset({("outcome", "created")}))] == 2
    assert found[("storebridge_queue_depth", frozenset({("queue", "normal")}))] == 3  # no pid label
    # Gauges a process never set (the workers' case) are registered at timestamp 0 and not exported.
    assert not any(name == "storebridge_intake_lag_seconds" for name, _ in found)


# -- the request hook ----------------------------------------------------------------------------


def test_request_keys_become_api_and_endpoint_labels() -> None:
    assert request_labels(endpoints.GET_PRODUCT.key) == ("naver", "GET /v2/products/origin-products/{no}")
    assert request_labels(endpoints.TOKEN.key) == ("naver", "POST /v1/oauth2/token")
    assert request_labels(DOMEGGOOK_REQUEST) == ("domeggook", "all")
    with pytest.raises(ValueError, match="no known API"):
        request_labels(RequestKey("elsewhere", "GET", "/x"))
    assert (
        endpoint_label("GET /v2/products/origin-products/123?x=1") == "GET /v2/products/origin-products/{no}"
    )


async def test_hook_records_status_and_endpoint_templates_of_real_naver_calls(
    sandbox: Sandbox, registry: CollectorRegistry, metrics: Metrics
) -> None:
    env = sandbox.environment()
    async with NaverClient(
        api_url=env["NAVER_API_URL"],
        client_id=env["NAVER_CLIENT_ID"],
        client_secret=env["NAVER_CLIENT_SECRET"],
        client_settings=ClientSettings(max_retries=0),
        limiter=MetricsHook(None, metrics=metrics),
    ) as naver:
        await naver.get_categories()
        with pytest.raises(NaverNotFound):
            await naver.get_product(987654321)

    token = {"api": "naver", "endpoint": "POST /v1/oauth2/token"}
    categories = {"api": "naver", "endpoint": "GET /v1/categories"}
    product = {"api": "naver", "endpoint": "GET /v2/products/origin-products/{no}"}
    assert value(registry, "storebridge_api_requests_total", status="200", **token) == 1
    assert value(registry, "storebridge_api_requests_total", status="200", **categories) == 1
    assert value(registry, "storebridge_api_requests_total", status="404", **product) == 1
    assert value(registry, "storebridge_api_request_duration_seconds_count", **categories) == 1
    assert (value(registry, "storebridge_api_request_duration_seconds_sum", **categories) or 0) > 0


async def test_hook_times_the_shared_limiter_and_delegates_to_it(
    sandbox: Sandbox,
    redis_client: aioredis.Redis,
    redis_namespace: str,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    quota = QuotaConfig("domeggook", limit=100, reserve_headroom=10)
    async with RateLimiter(
        redis_client, default_buckets(), quotas=[quota], keys=Keys(redis_namespace)
    ) as limiter:
        env = sandbox.environment()
        hook = MetricsHook(LimiterHook(limiter), metrics=metrics)
        async with DomeggookClient(
            api_url=env["DOMEGGOOK_API_URL"], api_key=env["DOMEGGOOK_API_KEY"], limiter=hook
        ) as domeggook:
            await domeggook.get_item(next(item.no for item in sandbox.catalog if not item.scenarios))
        quota_state = limiter.quota("domeggook")
        assert quota_state is not None
        used = await quota_state.used_today()

    assert used == 1  # the inner limiter counted the call
    assert value(registry, "storebridge_limiter_wait_seconds_count", api="domeggook") == 1
    assert (
        value(registry, "storebridge_api_requests_total", api="domeggook", endpoint="all", status="200") == 1
    )


async def test_hook_still_lets_the_limiter_learn_when_a_request_has_no_metrics_labels(
    metrics: Metrics,
) -> None:
    class Recorder:
        def __init__(self) -> None:
            self.after: list[tuple[RequestKey, int]] = []

        async def before_request(self, key: RequestKey) -> None:
            return None

        async def after_response(self, key: RequestKey, status: int, headers: Mapping[str, str]) -> None:
            self.after.append((key, status))

    inner = Recorder()
    hook = MetricsHook(inner, metrics=metrics)
    mystery = RequestKey("mystery", "GET", "/x")
    await hook.before_request(mystery)
    with pytest.raises(ValueError, match="no known API"):
        await hook.after_response(mystery, 429, {})

    assert inner.after == [(mystery, 429)]


# -- the gauge collector -------------------------------------------------------------------------


async def completed_product(store: StateStore, item_no: int) -> int:
    """A product registered the ordinary way (its last event: COMPLETED, code CREATED)."""
    row = await store.claim("dome", item_no, f"SB-dome-{item_no}")
    row = await store.transition(row.id, State.PENDING, State.VALIDATED)
    row = await store.transition(row.id, State.VALIDATED, State.UPLOADING)
    row = await store.transition(row.id, State.UPLOADING, State.REGISTERING, attempt_id=uuid.uuid4())
    row = await store.transition(
        row.id,
        State.REGISTERING,
        State.COMPLETED,
        code="CREATED",
        origin_product_no=9_000 + item_no,
        channel_product_no=8_000 + item_no,
    )
    return row.id


def test_the_success_rate_query_covers_exactly_the_success_outcomes() -> None:
    from_codes = {Outcome(code.lower()) for code in COMPLETED_SUCCESS_CODES}

    assert from_codes | {Outcome.ADOPTED, Outcome.UNCHANGED, Outcome.SUSPENDED} == SUCCESS_OUTCOMES
    assert {Outcome.MANUAL_REVIEW, Outcome.FAILED} == FAILURE_OUTCOMES


async def test_collector_sets_items_and_success_rate_from_the_database(
    redis_client: aioredis.Redis,
    redis_namespace: str,
    store: StateStore,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    first = await completed_product(store, 1)
    await completed_product(store, 2)
    await store.record_event(first, State.COMPLETED, "UNCHANGED")
    review = await store.claim("dome", 3, "SB-dome-3")
    await store.transition(review.id, State.PENDING, State.MANUAL_REVIEW, code="BANNED_WORD")
    await store.claim("dome", 4, "SB-dome-4")

    collector = GaugeCollector(
        redis_client,
        Keys(redis_namespace),
        store,
        None,
        dramatiq_namespace=f"{redis_namespace}-dq",
        metrics=metrics,
    )
    await collector.refresh()

    assert collector.failed_sources == []
    assert value(registry, "storebridge_items", state="COMPLETED") == 2
    assert value(registry, "storebridge_items", state="MANUAL_REVIEW") == 1
    assert value(registry, "storebridge_items", state="PENDING") == 1
    assert value(registry, "storebridge_items", state="FAILED") == 0
    # created, created, unchanged succeeded; one went to review
    assert value(registry, "storebridge_registration_success_rate") == pytest.approx(3 / 4)


def enqueue_with_dramatiq(redis_url: str, namespace: str) -> None:
    """Three ready and two delayed messages on ``normal``, one on ``batch``, through Dramatiq itself."""
    import dramatiq
    from dramatiq.brokers.redis import RedisBroker

    client = redis.Redis.from_url(redis_url)
    try:
        broker = RedisBroker(client=client, namespace=namespace, middleware=[])  # type: ignore[no-untyped-call]

        def work(n: int) -> None:
            """Never runs: only its messages are counted."""

        normal = dramatiq.actor(broker=broker, queue_name="normal", actor_name="metrics_normal")(work)
        batch = dramatiq.actor(broker=broker, queue_name="batch", actor_name="metrics_batch")(work)
        for n in range(3):
            normal.send(n)
        for n in range(2):
            normal.send_with_options(args=(n,), delay=60_000)
        batch.send(0)
    finally:
        client.close()


async def test_collector_counts_dramatiq_messages_including_delayed_ones(
    redis_url: str,
    redis_client: aioredis.Redis,
    redis_namespace: str,
    store: StateStore,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    namespace = f"{redis_namespace}-dramatiq"
    await asyncio.to_thread(enqueue_with_dramatiq, redis_url, namespace)
    collector = GaugeCollector(
        redis_client, Keys(redis_namespace), store, None, dramatiq_namespace=namespace, metrics=metrics
    )

    await collector.refresh()

    assert value(registry, "storebridge_queue_depth", queue="normal") == 5
    assert value(registry, "storebridge_queue_depth", queue="batch") == 1


async def test_collector_reports_intake_backlog_and_the_age_of_the_oldest_unfinished_entry(
    redis_client: aioredis.Redis,
    redis_namespace: str,
    store: StateStore,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    keys = Keys(redis_namespace)
    collector = GaugeCollector(redis_client, keys, store, None, dramatiq_namespace="unused", metrics=metrics)
    await collector.refresh()
    assert value(registry, "storebridge_queue_depth", queue="intake") == 0  # no stream yet
    assert value(registry, "storebridge_intake_lag_seconds") == 0

    two_minutes_ago_ms = int(time.time() * 1000) - 120_000
    for seq in range(5):
        await redis_client.xadd(keys.intake_stream, {"no": str(seq)}, id=f"{two_minutes_ago_ms}-{seq}")
    await collector.refresh()
    assert value(registry, "storebridge_queue_depth", queue="intake") == 5  # no group yet: all waiting

    await redis_client.xgroup_create(keys.intake_stream, keys.intake_group, id="0")
    await redis_client.xreadgroup(keys.intake_group, "daemon-1", {keys.intake_stream: ">"}, count=2)
    await collector.refresh()

    assert value(registry, "storebridge_queue_depth", queue="intake") == 5  # 3 undelivered + 2 pending
    assert (value(registry, "storebridge_intake_lag_seconds") or 0) >= 110


async def test_collector_reads_limiter_budgets_and_the_domeggook_quota(
    redis_client: aioredis.Redis,
    redis_namespace: str,
    store: StateStore,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    keys = Keys(redis_namespace)
    async with RateLimiter(
        redis_client,
        default_buckets(),
        quotas=[QuotaConfig("domeggook", limit=100, reserve_headroom=10)],
        keys=keys,
    ) as limiter:
        quota = limiter.quota("domeggook")
        assert quota is not None
        await quota.take(3)
        collector = GaugeCollector(
            redis_client, keys, store, limiter, dramatiq_namespace="unused", metrics=metrics
        )
        await collector.refresh()

    assert value(registry, "storebridge_domeggook_daily_used") == 3
    assert value(registry, "storebridge_domeggook_daily_limit") == 100
    assert value(registry, "storebridge_rate_limit_remaining", api="naver:products") == 1
    assert (value(registry, "storebridge_rate_limit_rate_per_second", api="naver:products") or 0) > 0
    assert value(registry, "storebridge_rate_limit_remaining", api="domeggook") is not None


async def test_a_failing_source_is_skipped_and_the_others_are_still_refreshed(
    redis_client: aioredis.Redis,
    redis_namespace: str,
    database_url: str,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    closed = StateStore(database_url)  # never opened: every query raises
    collector = GaugeCollector(
        redis_client, Keys(redis_namespace), closed, None, dramatiq_namespace="unused", metrics=metrics
    )

    await collector.refresh()

    assert collector.failed_sources == ["items", "success_rate"]
    assert value(registry, "storebridge_queue_depth", queue="intake") == 0
    assert value(registry, "storebridge_items", state="PENDING") is None


async def test_collector_loop_refreshes_until_stopped(
    redis_client: aioredis.Redis,
    redis_namespace: str,
    store: StateStore,
    registry: CollectorRegistry,
    metrics: Metrics,
) -> None:
    collector = GaugeCollector(
        redis_client, Keys(redis_namespace), store, None, dramatiq_namespace="unused", metrics=metrics
    )
    stop = asyncio.Event()
    task = asyncio.create_task(collector.run(stop, interval_s=0.05))
    for _ in range(200):
        if value(registry, "storebridge_items", state="PENDING") is not None:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 10)

    assert value(registry, "storebridge_items", state="PENDING") == 0
    assert math.isnan(value(registry, "storebridge_registration_success_rate") or 0.0)
