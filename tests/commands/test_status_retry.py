"""``storebridge enqueue``, ``status`` and ``retry`` against real Redis and PostgreSQL.

``main`` runs ``asyncio.run``, so each command runs in a worker thread (its own event loop) while
the test's loop prepares and inspects the services.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from storebridge.config import load_settings
from storebridge.domeggook import DomeggookClient
from storebridge.keys import Keys
from storebridge.store import State, StateStore
from tests.support import InProcessCli, intake_entries

# --------------------------------------------------------------------------- enqueue


async def test_enqueue_takes_numbers_from_arguments_stdin_and_a_file_in_order_without_repeats(
    services: dict[str, str],
    redis_client: aioredis.Redis,
    keys: Keys,
    tmp_path: Path,
    cli: InProcessCli,
) -> None:
    listing = tmp_path / "items.txt"
    listing.write_text("16  # a comment\n\n12\n")
    status, out, err = await cli(
        "enqueue", "11", "12", "-", "--file", str(listing), stdin="13\n# c\n14, 15\n"
    )
    assert status == 0, err
    assert out.strip() == "enqueued 6 item(s) (market dome, queue normal, reason sync)"
    entries = await intake_entries(redis_client, keys)
    assert [e.item_no for e in entries] == [11, 12, 13, 14, 15, 16]
    assert {(e.market, e.queue, e.reason) for e in entries} == {("dome", "normal", "sync")}
    assert all(e.enqueued_at_ms > 0 for e in entries)


async def test_enqueue_options_choose_queue_reason_and_market(
    services: dict[str, str],
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
) -> None:
    args = ("enqueue", "7", "--queue", "batch", "--reason", "resync", "--market", "supply")
    status, _, err = await cli(*args)
    assert status == 0, err
    [only] = await intake_entries(redis_client, keys)
    assert (only.item_no, only.market, only.queue, only.reason) == (7, "supply", "batch", "resync")


@pytest.mark.parametrize(
    ("args", "stdin", "named"),
    [
        (("enqueue", "123", "abc"), "", "'abc' (command line)"),
        (("enqueue", "-"), "5\n-3\n", "'-3' (stdin line 2)"),
        (("enqueue", "--file", "{file}"), "", "'0' ({file} line 3)"),
        (("enqueue", "--file", "{missing}"), "", "cannot read {missing}"),
        (("enqueue", "5", "--reason", "Not A Label"), "", "--reason 'Not A Label'"),
        (("enqueue",), "", "give ITEM_NO"),
    ],
)
async def test_enqueue_refuses_bad_input_naming_the_value_and_line_and_enqueues_nothing(
    services: dict[str, str],
    redis_client: aioredis.Redis,
    keys: Keys,
    tmp_path: Path,
    cli: InProcessCli,
    args: tuple[str, ...],
    stdin: str,
    named: str,
) -> None:
    bad_file = tmp_path / "bad.txt"
    bad_file.write_text("1\n2\n0\n")
    paths = {"file": str(bad_file), "missing": str(tmp_path / "nope.txt")}
    status, out, err = await cli(*(a.format(**paths) for a in args), stdin=stdin)
    assert status == 2
    assert named.format(**paths) in err
    assert out == ""
    assert "Traceback" not in err
    assert await redis_client.xlen(keys.intake_stream) == 0


async def test_enqueue_of_a_large_input_shows_progress_on_stderr(
    services: dict[str, str],
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
) -> None:
    numbers = "\n".join(str(n) for n in range(1, 2501))
    status, out, err = await cli("enqueue", "-", stdin=numbers)
    assert status == 0, err
    assert "\renqueued 2500/2500" in err
    assert out.strip().startswith("enqueued 2500 item(s)")
    assert await redis_client.xlen(keys.intake_stream) == 2500


async def test_enqueue_of_a_list_query_enqueues_every_listed_item_on_the_batch_queue(
    services: dict[str, str],
    sandbox: Any,
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in sandbox.environment().items():
        monkeypatch.setenv(name, value)
    seller = next(iter(sandbox.catalog)).seller.id
    async with DomeggookClient.from_settings(load_settings()) as client:
        expected = [item.no async for item in client.list_items(seller_id=seller)]
    assert expected
    status, _, err = await cli("enqueue", "--seller", seller)
    assert status == 0, err
    entries = await intake_entries(redis_client, keys)
    assert [e.item_no for e in entries] == expected
    assert {(e.queue, e.reason) for e in entries} == {("batch", "import")}


async def test_a_list_query_without_a_domeggook_key_is_a_configuration_error(
    services: dict[str, str], cli: InProcessCli
) -> None:
    status, _, err = await cli("enqueue", "--keyword", "tumbler")
    assert status == 2
    assert "DOMEGGOOK_API_KEY" in err


# --------------------------------------------------------------------------- status and retry


async def _failures(store: StateStore) -> dict[str, int]:
    """Three products: FAILED (two codes) and MANUAL_REVIEW, plus one still PENDING."""
    rows = {}
    for no, target, code in (
        (101, State.FAILED, "ITEM_GONE"),
        (102, State.FAILED, "NAVER_400"),
        (103, State.MANUAL_REVIEW, "CATEGORY_NOT_MAPPED"),
        (104, None, None),
    ):
        row = await store.claim("dome", no, f"DG-dome-{no}")
        if target is not None:
            await store.transition(
                row.id, State.PENDING, target, code=code, message=f"item {no}: {code} happened"
            )
        rows[str(no)] = row.id
    return rows


async def test_status_json_shows_states_failures_and_the_intake(
    services: dict[str, str],
    store: StateStore,
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
) -> None:
    await _failures(store)
    status, _, err = await cli("enqueue", "1", "2", "3")
    assert status == 0, err
    await redis_client.xgroup_create(keys.intake_stream, keys.intake_group, id="0")
    await redis_client.xreadgroup(keys.intake_group, "c1", {keys.intake_stream: ">"}, count=1)
    await redis_client.xadd(keys.intake_dead_letter, {"item_no": "x", "dead.error": "bad"})

    status, out, err = await cli("status", "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["states"]["FAILED"] == 2
    assert report["states"]["MANUAL_REVIEW"] == 1
    assert report["states"]["PENDING"] == 1
    assert report["total"] == 4
    assert report["intake"] == {"stream_length": 3, "pending": 1, "undelivered": 2, "dead_letter": 1}
    by_item = {f["item_no"]: f for f in report["failures"]}
    assert set(by_item) == {101, 102, 103}
    assert by_item[103]["code"] == "CATEGORY_NOT_MAPPED"
    assert by_item[103]["state"] == "MANUAL_REVIEW"
    assert by_item[101]["message"] == "item 101: ITEM_GONE happened"
    assert by_item[101]["updated_at"]

    status, out, err = await cli("status")
    assert status == 0, err
    assert "FAILED" in out
    assert "NAVER_400: item 102" in out
    assert "1 dead-lettered" in out


async def test_status_on_an_empty_redis_and_a_database_without_schema_says_to_migrate(
    services: dict[str, str],
    postgres_admin_url: str,
    cli: InProcessCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    status, out, err = await cli("status", "--json")
    assert status == 0, err
    assert json.loads(out)["intake"] == {"stream_length": 0, "pending": 0, "undelivered": 0, "dead_letter": 0}
    monkeypatch.setenv("DATABASE_URL", postgres_admin_url)
    status, out, err = await cli("status")
    assert status == 1
    assert "run storebridge migrate" in err
    assert out == ""


async def test_retry_re_drives_the_selected_products_and_enqueues_them(
    services: dict[str, str],
    store: StateStore,
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
) -> None:
    await _failures(store)
    status, _, err = await cli("retry")
    assert status == 2
    assert "--failed" in err

    status, out, err = await cli("retry", "--failed", "--code", "NAVER_400")
    assert status == 0, err
    assert out.startswith("re-driven and enqueued 1 product(s)")
    assert [(e.item_no, e.reason, e.queue) for e in await intake_entries(redis_client, keys)] == [
        (102, "retry", "normal")
    ]
    product = await store.get("dome", 102)
    assert product is not None
    assert product.state == State.PENDING

    status, out, err = await cli("retry", "--failed", "--review", "--queue", "batch")
    assert status == 0, err
    assert out.startswith("re-driven and enqueued 2 product(s)")
    entries = await intake_entries(redis_client, keys)
    assert sorted((e.item_no, e.queue) for e in entries[1:]) == [(101, "batch"), (103, "batch")]
    counts = await store.counts_by_state()
    assert counts[State.FAILED] == counts[State.MANUAL_REVIEW] == 0
    assert counts[State.PENDING] == 4

    status, out, err = await cli("retry", "--failed")
    assert status == 0, err
    assert out.startswith("re-driven and enqueued 0 product(s)")
    assert len(await intake_entries(redis_client, keys)) == 3


async def test_retry_that_cannot_enqueue_after_re_driving_prints_the_enqueue_commands(
    services: dict[str, str],
    store: StateStore,
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
) -> None:
    await _failures(store)
    # Redis answers, but the intake stream's key holds a string: every XADD is refused.
    await redis_client.set(keys.intake_stream, "not a stream")

    status, out, err = await cli("retry", "--failed", "--queue", "batch")

    assert status == 1
    assert out == ""
    failed, advice = err.splitlines()
    assert failed.startswith(
        "storebridge retry: re-driven 2 product(s) but enqueueing failed: ResponseError: "
    )
    assert "WRONGTYPE" in failed
    assert advice == (
        "storebridge retry: enqueue them with: "
        "storebridge enqueue --market dome --queue batch --reason retry 101 102"
    )
    counts = await store.counts_by_state()
    assert counts[State.FAILED] == 0
    assert counts[State.PENDING] == 3
