"""``storebridge enqueue --registered``: the managed products, stalest first, on the real intake stream.

Products are moved through the real state machine in a real PostgreSQL; ``last_synced_at`` is
then set by hand where a test needs a product checked hours ago (the clock cannot be waited out).
"""

from __future__ import annotations

import argparse
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from storebridge.commands.enqueue import parse_duration_s
from storebridge.keys import Keys
from storebridge.store import State, StateStore
from storebridge.transform.product import seller_management_code
from tests.support import InProcessCli, intake_entries

REGISTER = [State.VALIDATED, State.UPLOADING, State.REGISTERING, State.COMPLETED]


async def product(store: StateStore, item_no: int, path: list[State], *, market: str = "dome") -> int:
    """A product walked through ``path`` by the state machine; returns its id."""
    row = await store.claim(market, item_no, seller_management_code(market, item_no))
    for target in path:
        extra: dict[str, object] = {}
        if target is State.REGISTERING:
            extra["attempt_id"] = uuid.uuid4()
        if target is State.COMPLETED:
            extra["origin_product_no"] = 9_000_000 + item_no
        row = await store.transition(row.id, row.state, target, **extra)  # type: ignore[arg-type]
    return row.id


async def checked_hours_ago(store: StateStore, product_id: int, hours: float | None) -> None:
    pool = store._require_pool()
    await pool.execute("DELETE FROM product_checks WHERE product_id = $1", product_id)
    if hours is not None:
        await pool.execute(
            "INSERT INTO product_checks VALUES ($1, now() - make_interval(secs => $2::float8 * 3600))",
            product_id,
            hours,
        )


async def last_synced(store: StateStore, product_id: int) -> object:
    return await store._require_pool().fetchval(
        "SELECT checked_at FROM product_checks WHERE product_id = $1", product_id
    )


async def test_registered_products_are_enqueued_stalest_first_within_age_and_limit(
    services: dict[str, str],
    store: StateStore,
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
) -> None:
    # Given completed products checked 10 h, 3 h and 8 h ago and one never checked, a suspended
    # one checked 7 h ago (another market), and products that are not settled listings
    ten = await product(store, 101, REGISTER)
    three = await product(store, 102, REGISTER)
    eight = await product(store, 103, REGISTER)
    never = await product(store, 104, REGISTER)
    suspended = await product(store, 105, [*REGISTER, State.SUSPENDED], market="supply")
    await product(store, 106, [State.VALIDATED])  # not registered
    await product(store, 107, [*REGISTER, State.UPDATING])  # in flight: the sweeper's
    await product(store, 108, [State.FAILED])
    for product_id, hours in ((ten, 10), (three, 3), (eight, 8), (never, None), (suspended, 7)):
        await checked_hours_ago(store, product_id, hours)

    # When the CronJob's command runs
    status, out, err = await cli("enqueue", "--registered", "--older-than", "6h")

    # Then the settled listings checked at least 6 h ago are on the stream, stalest first, each in
    # its own market, on the batch queue as re-syncs
    assert status == 0, err
    entries = await intake_entries(redis_client, keys)
    assert [(e.market, e.item_no) for e in entries] == [
        ("dome", 104), ("dome", 101), ("dome", 103), ("supply", 105)
    ]  # fmt: skip
    assert {(e.queue, e.reason) for e in entries} == {("batch", "resync")}
    assert out.strip() == "enqueued 4 item(s) (market dome,supply, queue batch, reason resync)"

    # And --limit takes only the stalest of them
    await redis_client.delete(keys.intake_stream)
    status, _, err = await cli("enqueue", "--registered", "--older-than", "6h", "--limit", "2")
    assert status == 0, err
    assert [e.item_no for e in await intake_entries(redis_client, keys)] == [104, 101]


async def test_a_settled_write_stamps_the_check_and_an_outage_does_not(store: StateStore) -> None:
    # Given a product registered long ago and one never stamped
    product_id = await product(store, 201, REGISTER)
    assert await last_synced(store, product_id) is not None  # the registration itself is a check
    await checked_hours_ago(store, product_id, 30)
    old = await last_synced(store, product_id)

    # When a re-sync finds an outage (a retry is asked for), nothing counts as checked
    await store.record_event(product_id, State.COMPLETED, "REDIS_UNAVAILABLE", next_retry_at=_soon())
    assert await last_synced(store, product_id) == old
    assert await store.list_for_recheck(older_than_s=6 * 3600) == [("dome", 201)]

    # When a re-sync finds it unchanged (an event, no state change), it goes to the back
    await store.record_event(product_id, State.COMPLETED, "UNCHANGED")
    assert await store.list_for_recheck(older_than_s=6 * 3600) == []
    assert await store.list_for_recheck() == [("dome", 201)]

    # And an update that ends COMPLETED is a check too (entering UPDATING is not)
    other = await product(store, 202, REGISTER)
    await store.transition(other, State.COMPLETED, State.UPDATING, code="PRICE")
    await store.record_event(product_id, State.COMPLETED, "UNCHANGED")
    assert await store.list_for_recheck() == [("dome", 201)]  # UPDATING is never picked
    await store.transition(other, State.UPDATING, State.COMPLETED, code="PRICE_STOCK")
    assert await store.list_for_recheck() == [("dome", 201), ("dome", 202)]
    # (202 was stamped at its registration, before 201's last check: only the update moved it back)
    await store.transition(other, State.COMPLETED, State.SUSPENDED, code="SOURCE_NOT_ON_SALE")
    assert await store.list_for_recheck() == [("dome", 201), ("dome", 202)]
    await store.record_event(product_id, State.COMPLETED, "UNCHANGED")
    assert await store.list_for_recheck() == [("dome", 202), ("dome", 201)]


def _soon() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--older-than", "6h"), "add --registered"),
        (("--limit", "5"), "add --registered"),
        (("--registered", "--older-than", "6 hours"), "is not a duration"),
        (("--registered", "--limit", "0"), "at least 1"),
    ],
)
async def test_registered_options_are_checked_before_anything_is_touched(
    services: dict[str, str],
    redis_client: aioredis.Redis,
    keys: Keys,
    cli: InProcessCli,
    args: tuple[str, ...],
    message: str,
) -> None:
    status, _, err = await cli("enqueue", *args)
    assert status == 2
    assert message in err
    assert await intake_entries(redis_client, keys) == []


def test_durations_take_seconds_minutes_hours_days_and_combinations() -> None:
    assert parse_duration_s("90s") == 90
    assert parse_duration_s("30m") == 1800
    assert parse_duration_s("6h") == 21600
    assert parse_duration_s("2d") == 172800
    assert parse_duration_s("1h30m") == 5400
    for bad in ("6", "h", "6x", "-6h", "6h 30m", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_duration_s(bad)
