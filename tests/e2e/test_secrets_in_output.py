"""No secret in anything a run emits: logs, ``/metrics``, stored error messages, CLI output.

Given distinctive values for every secret (Domeggook API key, Naver client secret, the database
password, both S3 keys) and the access token the Naver sandbox issues, when a small sync runs
through the real ``storebridge daemon`` and ``storebridge worker`` with Naver faults on (5xx,
429s, lost answers, so error paths log too) and the commands are then run with broken settings
that contain the secrets, then none of the secrets (raw or URL-encoded) appears in any log line,
the ``/metrics`` body, the products' and events' error messages, the dead letters, ``status`` or
the broken commands' output. Logs are at ``INFO``, production's level.
"""

from __future__ import annotations

import asyncio
import base64
import os
import sys
import time
import urllib.parse
from pathlib import Path

import aiohttp
import asyncpg
import bcrypt
import pytest
import redis.asyncio as aioredis

from schemas.messages import IntakeEntry
from storebridge.devstack import Child, free_port, wait_healthy
from storebridge.intake import enqueue_entries
from storebridge.keys import Keys, reply_text
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.faults import Faults
from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.runner import Sandbox, SandboxOptions

DOMEGGOOK_KEY = "dgkey-Chaos-5f1e9a7c3b"
#: A valid bcrypt salt (cost 04, 22 characters, the last one of ``. O e u``), as the sandbox demands.
NAVER_SECRET = "$2a$04$ChaosSecretXyzzy12345e"
DB_PASSWORD = "pgpw-Chaos-8d2c4b6a"
S3_ACCESS_KEY = "AKIACHAOS7F3A9C1E5B0"
S3_SECRET_KEY = "s3sk-Chaos-2b7d9f1a3c5e"
REDIS_PASSWORD = "rdpw-Chaos-6e4a2c8b"
ITEMS = 24
SETTLE_TIMEOUT_S = 120.0
SETTLED = ("COMPLETED", "SUSPENDED", "MANUAL_REVIEW", "FAILED")


def _with_password(url: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def _forms(secret: str) -> set[str]:
    return {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}


async def _naver_token(sandbox: Sandbox, client_id: str) -> str:
    """The token the sandbox hands this app now: the one the workers used (Naver re-uses tokens)."""
    stamp = str(int(time.time() * 1000) - 2000)
    sign = base64.b64encode(bcrypt.hashpw(f"{client_id}_{stamp}".encode(), NAVER_SECRET.encode())).decode()
    form = {
        "client_id": client_id,
        "timestamp": stamp,
        "client_secret_sign": sign,
        "grant_type": "client_credentials",
        "type": "SELF",
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{sandbox.naver_api_url}/v1/oauth2/token", data=form) as resp,
    ):
        assert resp.status == 200, await resp.text()
        return str((await resp.json())["access_token"])


async def _db_texts(database_url: str) -> list[str]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT coalesce(last_error_message, '') AS m FROM products")
        events = await conn.fetch(
            "SELECT coalesce(message, '') || ' ' || details::text AS m FROM product_events"
        )
    finally:
        await conn.close()
    return [r["m"] for r in [*rows, *events]]


async def _command(env: dict[str, str], *args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "storebridge.cli", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
    except TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
    return out.decode(errors="replace")


async def _settle(database_url: str, numbers: list[int], worker: Child) -> dict[str, int]:
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        conn = await asyncpg.connect(database_url)
        try:
            rows = await conn.fetch("SELECT state, count(*) AS n FROM products GROUP BY state")
        finally:
            await conn.close()
        counts = {r["state"]: int(r["n"]) for r in rows}
        if sum(counts.get(s, 0) for s in SETTLED) >= len(numbers):
            break
        assert worker.running, worker.tail()
        await asyncio.sleep(0.5)
    return counts


@pytest.mark.timeout(300)
async def test_no_secret_appears_in_logs_metrics_errors_or_command_output(
    tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str, s3_endpoint: str, s3_bucket: str
) -> None:
    options = SandboxOptions(
        items=40,
        seed=3,
        naver=NaverSimConfig(rate_per_s=10, client_secret=NAVER_SECRET, timeout_hold_s=31.0),
        domeggook=DomeggookSimConfig(api_key=DOMEGGOOK_KEY),
        naver_faults=Faults(error_rate=0.08, rate_limit_rate=0.05, lost_answer_rate=0.1, seed=4),
    )
    secret_db_url = _with_password(database_url, DB_PASSWORD)
    async with Sandbox(options) as sandbox:
        port = free_port()
        (tmp_path / "prom").mkdir()
        env = {
            **os.environ,
            **sandbox.environment(),
            "REDIS_URL": redis_url,
            "REDIS_NAMESPACE": redis_namespace,
            "DATABASE_URL": secret_db_url,
            "S3_ENDPOINT": s3_endpoint,
            "S3_BUCKET": s3_bucket,
            "S3_ACCESS_KEY": S3_ACCESS_KEY,
            "S3_SECRET_KEY": S3_SECRET_KEY,
            "NAVER_MAX_TPS": "10",
            "NAVER_SEARCH_GRACE_S": "1",
            "DAEMON_HOST": "127.0.0.1",
            "DAEMON_PORT": str(port),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
            "RETRY_BACKOFF_BASE": "1",
            "INTAKE_BATCH_SIZE": "8",
            "WORKER_PROCESSES": "1",
            "SHUTDOWN_TIMEOUT_S": "10",
        }
        numbers = [item.no for item in sandbox.catalog][:ITEMS]  # hostile items too: review messages
        redis = aioredis.Redis.from_url(redis_url)
        outputs: dict[str, str] = {}
        try:
            async with (
                Child("worker", ["worker"], env, tmp_path) as worker,
                Child("daemon", ["daemon"], env, tmp_path) as daemon,
            ):
                await wait_healthy(port, daemon)
                now_ms = int(time.time() * 1000)
                entries = [IntakeEntry(item_no=no, queue="batch", enqueued_at_ms=now_ms) for no in numbers]
                await enqueue_entries(redis, Keys(redis_namespace), entries)
                counts = await _settle(database_url, numbers, worker)
                async with (
                    aiohttp.ClientSession() as http,
                    http.get(f"http://127.0.0.1:{port}/metrics") as resp,
                ):
                    outputs["/metrics"] = await resp.text()
                outputs["status"] = await _command(env, "status")
                outputs["status --json"] = await _command(env, "status", "--json")
            dead = await redis.xrange(Keys(redis_namespace).intake_dead_letter) or []
            outputs["dead letters"] = " ".join(reply_text(v) for _, e in dead for v in (e or {}).values())
        finally:
            await redis.aclose()
        token = await _naver_token(sandbox, options.naver.client_id)

    closed = free_port()
    broken = {
        "daemon, database unreachable": {**env, "DATABASE_URL": _with_password(
            f"postgresql://postgres@127.0.0.1:{closed}/x", DB_PASSWORD)},
        "worker, redis unreachable": {**env, "REDIS_URL": f"redis://:{REDIS_PASSWORD}@127.0.0.1:{closed}/0"},
        "enqueue, redis unreachable": {**env, "REDIS_URL": f"redis://:{REDIS_PASSWORD}@127.0.0.1:{closed}/0"},
        "migrate, database unreachable": {**env, "DATABASE_URL": _with_password(
            f"postgresql://postgres@127.0.0.1:{closed}/x", DB_PASSWORD)},
    }  # fmt: skip
    commands = {
        "daemon, database unreachable": ["daemon"],
        "worker, redis unreachable": ["worker"],
        "enqueue, redis unreachable": ["enqueue", "123"],
        "migrate, database unreachable": ["migrate"],
    }
    for label, bad_env in broken.items():
        outputs[label] = await _command({**bad_env, "SHUTDOWN_TIMEOUT_S": "3"}, *commands[label])
    for log in sorted(tmp_path.glob("*.log")):  # noqa: ASYNC240 - a few small files, after the run
        outputs[log.name] = log.read_text(errors="replace")
    outputs["stored error messages"] = "\n".join(await _db_texts(database_url))

    # The run did real work and the error paths ran, so an empty search proves something.
    assert counts.get("COMPLETED", 0) > 0, counts
    assert outputs["/metrics"].count("storebridge_") > 10
    assert outputs["worker.log"].count("\n") > 100
    secrets = {
        "DOMEGGOOK_API_KEY": DOMEGGOOK_KEY,
        "NAVER_CLIENT_SECRET": NAVER_SECRET,
        "database password": DB_PASSWORD,
        "S3_ACCESS_KEY": S3_ACCESS_KEY,
        "S3_SECRET_KEY": S3_SECRET_KEY,
        "redis password": REDIS_PASSWORD,
        "Naver access token": token,
    }
    leaks = [
        f"{name} in {where}"
        for name, secret in secrets.items()
        for where, text in outputs.items()
        if any(form in text for form in _forms(secret))
    ]
    assert leaks == []
