"""Rate limits, daily quota and injected faults of the Domeggook simulator, over real HTTP."""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from storebridge.sandbox.catalog.generator import generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from storebridge.sandbox.faults import Faults
from tests.sandbox.support import KEY, ManualClock, ServeDomeggook

#: 2026-03-10 23:00:00 KST (14:00 UTC).
LATE_EVENING_KST_TS = calendar.timegm((2026, 3, 10, 14, 0, 0, 0, 0, 0))


@dataclass
class Sim:
    session: aiohttp.ClientSession
    base_url: str
    clock: ManualClock

    async def call(self, *, aid: str = KEY, timeout_s: float | None = None) -> tuple[int, Any]:
        query = {"aid": aid, "om": "json", "ver": "1.0", "mode": "getCategoryList"}
        timeout = aiohttp.ClientTimeout(total=timeout_s) if timeout_s else None
        async with self.session.get(self.base_url + "/ssl/api/", params=query, timeout=timeout) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()

    async def statuses(self, count: int, *, aid: str = KEY) -> list[int]:
        return [(await self.call(aid=aid))[0] for _ in range(count)]

    async def stats(self) -> Any:
        async with self.session.get(self.base_url + "/_sandbox/stats") as response:
            return await response.json()

    async def post_faults(self, body: Any) -> tuple[int, Any]:
        async with self.session.post(self.base_url + "/_sandbox/faults", json=body) as response:
            return response.status, await response.json()


#: Serves a simulator over a 30-item catalog with its clock at ``start``; see the ``simulator`` fixture.
Simulator = Callable[..., Awaitable[Sim]]


@pytest.fixture
def simulator(serve_domeggook: ServeDomeggook) -> Simulator:
    async def serve(
        config: DomeggookSimConfig | None = None,
        *,
        faults: Faults | None = None,
        start: float = LATE_EVENING_KST_TS,
    ) -> Sim:
        clock = ManualClock(start)
        api = await serve_domeggook(generate_catalog(30, 5), config, faults=faults, clock=clock)
        return Sim(api.session, api.base_url, clock)

    return serve


@pytest.fixture
async def sim(simulator: Simulator) -> Sim:
    return await simulator()


def _is_rate_limit_body(body: Any) -> bool:
    return isinstance(body, dict) and body.get("errors", {}).get("code") == "429"


# --- per-minute limit --------------------------------------------------------------------------


async def test_breaking_the_minute_limit_answers_429_and_blocks_until_the_block_ends(
    simulator: Simulator,
) -> None:
    config = DomeggookSimConfig(per_minute_limit=5, minute_block_s=180)
    sim = await simulator(config)
    assert await sim.statuses(5) == [200] * 5
    status, body = await sim.call()
    assert status == 429
    assert _is_rate_limit_body(body)
    sim.clock.advance(61)  # the window has emptied, but the block holds
    assert (await sim.call())[0] == 429
    sim.clock.advance(180 - 61 - 1)
    assert (await sim.call())[0] == 429
    sim.clock.advance(2)  # 181 s after the block started
    assert await sim.statuses(5) == [200] * 5
    stats = await sim.stats()
    assert stats["rate_limited"] == 3


async def test_minute_window_slides_over_the_last_sixty_seconds(simulator: Simulator) -> None:
    sim = await simulator(DomeggookSimConfig(per_minute_limit=5))
    assert await sim.statuses(3) == [200] * 3
    sim.clock.advance(59)
    assert await sim.statuses(2) == [200] * 2
    sim.clock.advance(2)  # the first three calls left the window
    assert await sim.statuses(3) == [200] * 3
    assert (await sim.call())[0] == 429


async def test_default_rate_limit_message_quotes_the_published_block_rule(simulator: Simulator) -> None:
    sim = await simulator(DomeggookSimConfig(per_minute_limit=1))
    await sim.call()
    status, body = await sim.call()
    assert status == 429
    assert (
        body["errors"]["dmessage"]
        == "분당 1회 이상 접속 시 3분, 일 15,000회 이상 접속 시 자정까지 차단됩니다"
    )


async def test_each_key_has_its_own_quota(simulator: Simulator) -> None:
    sim = await simulator(DomeggookSimConfig(api_key="key-a,key-b", per_minute_limit=2))
    assert await sim.statuses(3, aid="key-a") == [200, 200, 429]
    assert await sim.statuses(2, aid="key-b") == [200, 200]


async def test_calls_with_an_invalid_key_do_not_use_the_quota(simulator: Simulator) -> None:
    sim = await simulator(DomeggookSimConfig(per_minute_limit=2))
    assert await sim.statuses(5, aid="not-a-key") == [200] * 5
    assert await sim.statuses(2) == [200, 200]
    stats = await sim.stats()
    assert stats["daily_used"] == 2
    assert stats["requests"]["total"] == 7


# --- daily quota -------------------------------------------------------------------------------


async def test_daily_quota_blocks_until_midnight_kst(simulator: Simulator) -> None:
    sim = await simulator(DomeggookSimConfig(per_day_limit=3))
    assert await sim.statuses(3) == [200] * 3
    assert (await sim.stats())["daily_used"] == 3
    assert (await sim.call())[0] == 429
    sim.clock.advance(3600 - 1)  # 23:59:59 KST
    assert (await sim.call())[0] == 429
    sim.clock.advance(2)  # 00:00:01 KST, the next day
    assert (await sim.call())[0] == 200
    stats = await sim.stats()
    assert stats["daily_used"] == 1
    assert stats["rate_limited"] == 2


async def test_rolling_daily_window_when_not_blocking_until_midnight(simulator: Simulator) -> None:
    config = DomeggookSimConfig(per_day_limit=2, daily_block_until_midnight=False)
    sim = await simulator(config)
    assert await sim.statuses(2) == [200, 200]
    sim.clock.advance(3 * 3600)  # past midnight KST: a rolling window does not reset
    assert (await sim.call())[0] == 429
    sim.clock.advance(21 * 3600)  # 24 h after the first calls
    assert (await sim.call())[0] == 200


# --- faults ------------------------------------------------------------------------------------


async def test_server_error_fault_answers_5xx_with_a_non_json_body(simulator: Simulator) -> None:
    sim = await simulator(faults=Faults(error_rate=1.0))
    results = [await sim.call() for _ in range(3)]
    stats = await sim.stats()
    assert sorted(status for status, _ in results) == [500, 502, 503]
    assert all(isinstance(body, str) and "<html>" in body for _, body in results)
    assert stats["faults"] == {"server_error": 3}


async def test_timeout_fault_holds_the_request_until_the_client_gives_up(simulator: Simulator) -> None:
    sim = await simulator(faults=Faults(timeout_rate=1.0))
    with pytest.raises(TimeoutError):
        await sim.call(timeout_s=0.3)
    stats = await sim.stats()
    assert stats["faults"] == {"timeout": 1}


async def test_forced_rate_limit_fault_answers_429_without_blocking(simulator: Simulator) -> None:
    sim = await simulator(faults=Faults(rate_limit_rate=1.0))
    status, body = await sim.call()
    assert status == 429
    assert _is_rate_limit_body(body)
    assert (await sim.post_faults({"rate_limit_rate": 0.0}))[0] == 200
    assert (await sim.call())[0] == 200
    stats = await sim.stats()
    assert stats["rate_limited"] == 1


async def test_added_latency_still_answers(simulator: Simulator) -> None:
    sim = await simulator(faults=Faults(latency_ms=20))
    assert (await sim.call())[0] == 200


async def test_faults_apply_to_api_calls_only_not_to_control_endpoints(simulator: Simulator) -> None:
    sim = await simulator(faults=Faults(error_rate=1.0))
    assert (await sim.stats())["requests"]["total"] == 0
    async with sim.session.get(sim.base_url + "/_sandbox/items") as response:
        assert response.status == 200


async def test_fault_settings_can_be_read_and_changed_and_bad_values_are_refused(sim: Sim) -> None:
    async with sim.session.get(sim.base_url + "/_sandbox/faults") as response:
        assert (await response.json())["error_rate"] == 0.0
    status, body = await sim.post_faults({"error_rate": 0.5, "latency_ms": 10})
    assert status == 200
    assert body["error_rate"] == 0.5
    assert body["latency_ms"] == 10
    bad_bodies: list[Any] = [{"error_rate": 2}, {"timeout_rate": "high"}, {"no_such_fault": 1}, [1, 2]]
    for bad in bad_bodies:
        status, body = await sim.post_faults(bad)
        assert status == 400
        assert body["error"]
    async with sim.session.post(sim.base_url + "/_sandbox/faults", data=b"{not json") as response:
        assert response.status == 400
    async with sim.session.get(sim.base_url + "/_sandbox/faults") as response:
        current = await response.json()
    assert current["error_rate"] == 0.5
    assert current["latency_ms"] == 10
    assert current["timeout_rate"] == 0.0
