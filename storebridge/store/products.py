"""Products and their history: claim, read, transition, record events, re-drive.

Every write is ONE SQL statement (a data-modifying CTE) that updates the product row with a
``WHERE state = $expected`` guard and appends the event, so a transition and its history entry
commit together or not at all, and a writer that lost a race changes nothing (``StaleState``).
The database's trigger re-checks the transition table, so this module is not the only guard.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Unpack

from storebridge.store.db import (
    EVENT_COLUMNS,
    PRODUCT_COLUMNS,
    PoolHolder,
    clip,
    product_event,
    product_row,
    translated_errors,
)
from storebridge.store.recheck import check_cte
from storebridge.store.states import (
    FAILURE_STATES,
    REDRIVABLE_STATES,
    IllegalTransition,
    State,
    check_transition,
)
from storebridge.store.types import (
    PRODUCT_FIELD_COLUMNS,
    Json,
    ProductEvent,
    ProductFields,
    ProductNotFound,
    ProductRow,
    StaleState,
)

logger = logging.getLogger(__name__)

#: Event code of the row's creation by ``claim``.
CLAIMED_CODE = "CLAIMED"
#: Default event code of an operator re-drive.
REDRIVE_CODE = "REDRIVE"

_EVENT_INSERT = (
    "INSERT INTO product_events (product_id, from_state, to_state, code, message, trace_id, details) "
)

# SQL below is assembled only from this module's constants and PRODUCT_FIELD_COLUMNS (a fixed
# whitelist); every value travels as a $n parameter, hence the S608 exemptions.
_SELECT_PRODUCTS = f"SELECT {PRODUCT_COLUMNS} FROM products"  # noqa: S608 - constant columns, values as $n
_SELECT_EVENTS = f"SELECT {EVENT_COLUMNS} FROM product_events"  # noqa: S608 - constant columns, values as $n
# {sets}: "column = $n" pairs of whitelisted columns. $1 = id, $2 = expected state.
_GUARDED_UPDATE = "UPDATE products SET {sets} WHERE id = $1 AND state = $2 RETURNING " + PRODUCT_COLUMNS  # noqa: S608 - constant columns, values as $n
_GUARDED_LOCK = _SELECT_PRODUCTS + " WHERE id = $1 AND state = $2 FOR SHARE"
# {row_cte}: one of the two above; {to_state}: "$n::text" or "NULL::text". $3..$6 = the event.
# {check}: '' or the CTE recording a check of the product's source (store/recheck.py).
_WRITE_WITH_EVENT = (
    "WITH cur AS ({row_cte}), ev AS ("
    "INSERT INTO product_events (product_id, from_state, to_state, code, message, trace_id, details) "
    "SELECT id, $2::text, {to_state}, $3, $4, $5, $6 FROM cur){check} "
    "SELECT * FROM cur"
)

_CLAIM_SQL = f"""
WITH ins AS (
    INSERT INTO products (market, item_no, seller_management_code) VALUES ($1, $2, $3)
    ON CONFLICT (market, item_no) DO NOTHING
    RETURNING {PRODUCT_COLUMNS}
), ev AS (
    {_EVENT_INSERT} SELECT id, NULL, state, '{CLAIMED_CODE}', NULL, NULL, '{{}}'::jsonb FROM ins
)
SELECT {PRODUCT_COLUMNS} FROM ins
"""  # noqa: S608 - constant columns, values as $n

# The CASE mirrors states.redrive_target: a product with a Naver number is re-driven to UPDATING.
_REDRIVE_SQL = f"""
WITH target AS (
    SELECT id, state AS old_state FROM products
    WHERE state = ANY($1::text[])
      AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
      AND ($3::text IS NULL OR last_error_code = $3::text)
    ORDER BY id
    FOR UPDATE
), moved AS (
    UPDATE products p
    SET state = CASE WHEN p.origin_product_no IS NULL THEN 'PENDING' ELSE 'UPDATING' END,
        retry_count = 0, next_retry_at = NULL
    FROM target t WHERE p.id = t.id
    RETURNING p.*, t.old_state
), ev AS (
    {_EVENT_INSERT} SELECT id, old_state, state, $4, $5, NULL, '{{}}'::jsonb FROM moved
)
SELECT {PRODUCT_COLUMNS} FROM moved ORDER BY id
"""  # noqa: S608 - constant columns, values as $n


_FINISHED_SQL = """
SELECT
  count(*) FILTER (WHERE (to_state = 'COMPLETED' AND code = ANY($1::text[]))
                      OR (to_state IS NULL AND code = 'UNCHANGED')
                      OR (to_state = 'SUSPENDED' AND from_state IS DISTINCT FROM 'SUSPENDED')) AS succeeded,
  count(*) FILTER (WHERE (to_state = 'MANUAL_REVIEW' AND from_state IS DISTINCT FROM 'MANUAL_REVIEW')
                      OR (to_state = 'FAILED' AND from_state IS DISTINCT FROM 'FAILED'
                          AND from_state IS DISTINCT FROM 'MANUAL_REVIEW')) AS failed
FROM product_events
WHERE at >= now() - make_interval(secs => $2)
"""


# Working states whose row has not moved for $2 seconds, or whose retry time passed $2 seconds ago.
_STALLED_SQL = (
    _SELECT_PRODUCTS + " WHERE state = ANY($1::text[]) "
    "AND greatest(updated_at, coalesce(next_retry_at, updated_at)) <= now() - make_interval(secs => $2) "
    "ORDER BY updated_at, id LIMIT $3"
)

# Items handed to a worker ($1 to $2 seconds ago) that never got a product row: their message was lost.
_ROWLESS_JOBS_SQL = """
SELECT j.market, j.item_no, min(j.queue) AS queue
FROM intake_jobs j
WHERE j.enqueued_at <= now() - make_interval(secs => $1)
  AND j.enqueued_at > now() - make_interval(secs => $2)
  AND j.market IS NOT NULL AND j.item_no IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM products p WHERE p.market = j.market AND p.item_no = j.item_no)
GROUP BY j.market, j.item_no
ORDER BY min(j.enqueued_at)
LIMIT $3
"""


class ProductStore(PoolHolder):
    """The products half of ``StateStore`` (see that class for the lifecycle)."""

    async def claim(self, market: str, item_no: int, seller_management_code: str) -> ProductRow:
        """The item's row, created PENDING if new; safe under any number of concurrent callers.

        INSERT … ON CONFLICT DO NOTHING, then SELECT (never SELECT-then-INSERT), so exactly one
        row exists per (market, item_no) and re-importing a known item is not a failure. An
        existing row keeps its own seller management code (it is what Naver knows). A code that
        another item already uses raises ``InvariantViolation``.
        """
        pool = self._require_pool()
        with translated_errors():
            record = await pool.fetchrow(_CLAIM_SQL, market, item_no, seller_management_code)
        if record is not None:
            return product_row(record)
        existing = await self.get(market, item_no)
        if existing is None:  # pragma: no cover - the conflicting row was deleted in between
            raise ProductNotFound(-1)
        return existing

    async def get(self, market: str, item_no: int) -> ProductRow | None:
        """The row of one Domeggook item, or None if it was never claimed."""
        record = await self._require_pool().fetchrow(
            _SELECT_PRODUCTS + " WHERE market = $1 AND item_no = $2", market, item_no
        )
        return product_row(record) if record is not None else None

    async def get_by_id(self, product_id: int) -> ProductRow:
        """The row with this id; ``ProductNotFound`` if there is none."""
        record = await self._require_pool().fetchrow(_SELECT_PRODUCTS + " WHERE id = $1", product_id)
        if record is None:
            raise ProductNotFound(product_id)
        return product_row(record)

    async def get_by_seller_code(self, seller_management_code: str) -> ProductRow | None:
        """The row carrying this seller management code (used to attribute orphans found on Naver)."""
        record = await self._require_pool().fetchrow(
            _SELECT_PRODUCTS + " WHERE seller_management_code = $1",
            seller_management_code,
        )
        return product_row(record) if record is not None else None

    async def transition(
        self,
        product_id: int,
        from_state: State,
        to_state: State,
        *,
        code: str | None = None,
        message: str | None = None,
        trace_id: str | None = None,
        details: Json = None,
        **fields: Unpack[ProductFields],
    ) -> ProductRow:
        """Move the product ``from_state → to_state`` and update ``fields``, in one transaction.

        Raises ``IllegalTransition`` (before any I/O, or when the database refuses),
        ``StaleState`` when the row is no longer in ``from_state`` (nothing changed: re-read),
        ``InvariantViolation`` when the new row would break a rule (nothing changed), and
        ``ProductNotFound``. Entering a failure state records ``code``/``message`` as the last
        error unless given explicitly; entering COMPLETED clears the last error and the retry time.
        """
        from_state, to_state = State(from_state), State(to_state)
        check_transition(from_state, to_state)
        updates: dict[str, Any] = dict(fields)
        if to_state in FAILURE_STATES and code is not None:
            updates.setdefault("last_error_code", code)
            updates.setdefault("last_error_message", message)
        if to_state == State.COMPLETED:
            for column in ("last_error_code", "last_error_message", "next_retry_at"):
                updates.setdefault(column, None)
        event = (code or to_state.value, clip(message), trace_id, details if details is not None else {})
        return await self._write(product_id, from_state, to_state, updates, event)

    async def record_event(
        self,
        product_id: int,
        state: State,
        code: str,
        *,
        message: str | None = None,
        trace_id: str | None = None,
        details: Json = None,
        **fields: Unpack[ProductFields],
    ) -> ProductRow:
        """Append an event without changing the state (e.g. ``UNCHANGED``: a re-sync found no diff).

        Guarded like a transition: ``StaleState`` if the product is no longer in ``state``.
        ``fields`` (e.g. ``next_retry_at`` while UNKNOWN waits for search to catch up) are
        updated in the same statement; with no fields the row is only share-locked, not touched.
        """
        event = (code, clip(message), trace_id, details if details is not None else {})
        return await self._write(product_id, State(state), None, dict(fields), event)

    async def _write(
        self,
        product_id: int,
        state: State,
        to_state: State | None,
        updates: dict[str, Any],
        event: tuple[str, str | None, str | None, Json],
    ) -> ProductRow:
        unknown = set(updates) - set(PRODUCT_FIELD_COLUMNS)
        if unknown:
            raise TypeError(f"not writable product fields: {sorted(unknown)}")
        if "last_error_message" in updates:
            updates["last_error_message"] = clip(updates["last_error_message"])
        args: list[Any] = [product_id, state.value, *event]
        sets = []
        to_sql = "NULL::text"
        if to_state is not None:
            args.append(to_state.value)
            to_sql = f"${len(args)}::text"
            sets.append(f"state = {to_sql}")
        for column in PRODUCT_FIELD_COLUMNS:  # fixed whitelist: the only names spliced into SQL
            if column in updates:
                args.append(updates[column])
                sets.append(f"{column} = ${len(args)}")
        row_cte = _GUARDED_UPDATE.format(sets=", ".join(sets)) if sets else _GUARDED_LOCK
        check = check_cte(to_state or state, updates)
        sql = _WRITE_WITH_EVENT.format(row_cte=row_cte, to_state=to_sql, check=check)
        with translated_errors(state, to_state):
            record = await self._require_pool().fetchrow(sql, *args)
        if record is None:
            current = await self.get_by_id(product_id)
            raise StaleState(product_id, state, current.state)
        row = product_row(record)
        # The one log line per item transition (style principle 9); plain events are DEBUG.
        logger.log(
            logging.INFO if to_state is not None else logging.DEBUG,
            "product.transition" if to_state is not None else "product.event",
            extra={
                "product_id": row.id,
                "market": row.market,
                "item_no": row.item_no,
                "from_state": state.value,
                "to_state": to_state.value if to_state is not None else None,
                "code": event[0],
                "trace_id": event[2],
            },
        )
        return row

    async def events(self, product_id: int) -> list[ProductEvent]:
        """The product's history, oldest first."""
        records = await self._require_pool().fetch(
            _SELECT_EVENTS + " WHERE product_id = $1 ORDER BY id", product_id
        )
        return [product_event(r) for r in records]

    async def counts_by_state(self) -> dict[State, int]:
        """How many products are in each state (every state present, zeros included)."""
        records = await self._require_pool().fetch("SELECT state, count(*) AS n FROM products GROUP BY state")
        counts = dict.fromkeys(State, 0)
        counts.update({State(r["state"]): int(r["n"]) for r in records})
        return counts

    async def event_counts(self, *, since: datetime | None = None) -> dict[str, int]:
        """Events per code (optionally only those at or after ``since``): what the pipeline did."""
        records = await self._require_pool().fetch(
            "SELECT code, count(*) AS n FROM product_events WHERE $1::timestamptz IS NULL OR at >= $1 "
            "GROUP BY code",
            since,
        )
        return {str(r["code"]): int(r["n"]) for r in records}

    async def finished_outcomes_since(
        self, window_s: float, *, success_codes: Iterable[str]
    ) -> tuple[int, int]:
        """``(succeeded, failed)`` syncs that ended in the last ``window_s`` seconds (success-rate gauge).

        Success: a COMPLETED transition with one of ``success_codes``, an UNCHANGED event, or entering
        SUSPENDED; failure: entering MANUAL_REVIEW or FAILED (an operator closing a review item is
        not counted twice).
        """
        record = await self._require_pool().fetchrow(_FINISHED_SQL, list(success_codes), float(window_s))
        if record is None:  # pragma: no cover - an aggregate always returns one row
            return 0, 0
        return int(record["succeeded"]), int(record["failed"])

    async def recent_failures(self, limit: int = 50) -> list[ProductRow]:
        """Products in a failure state (UNKNOWN, RETRYING, MANUAL_REVIEW, FAILED), newest change first."""
        records = await self._require_pool().fetch(
            _SELECT_PRODUCTS + " WHERE state = ANY($1::text[]) ORDER BY updated_at DESC, id DESC LIMIT $2",
            sorted(s.value for s in FAILURE_STATES),
            limit,
        )
        return [product_row(r) for r in records]

    async def list_for_retry(self, states: Iterable[State], *, limit: int = 100) -> list[ProductRow]:
        """Products in ``states`` that are due (``next_retry_at`` unset or past, by the DB clock).

        Most overdue first. Reading does not claim anything: whoever acts must still transition
        with the state guard, so two sweepers picking the same row cannot both act on it.
        """
        records = await self._require_pool().fetch(
            _SELECT_PRODUCTS + " WHERE state = ANY($1::text[]) "
            "AND (next_retry_at IS NULL OR next_retry_at <= now()) "
            "ORDER BY next_retry_at NULLS FIRST, id LIMIT $2",
            [State(s).value for s in states],
            limit,
        )
        return [product_row(r) for r in records]

    async def redrive(
        self,
        product_ids: Sequence[int] | None = None,
        states: Iterable[State] | None = None,
        *,
        error_code: str | None = None,
        code: str = REDRIVE_CODE,
        message: str | None = None,
    ) -> list[ProductRow]:
        """Operator action: send FAILED / MANUAL_REVIEW products back into the pipeline.

        Selects by ids and/or states (default both re-drivable states) and/or last error code;
        at least one of ``product_ids``/``states``/``error_code`` is required so nothing is
        re-driven by accident. Products never registered go to PENDING, registered ones to
        UPDATING (never towards a second create); retry count and time are reset. Products in
        other states are skipped. Returns the moved rows.
        """
        if product_ids is None and states is None and error_code is None:
            raise ValueError("redrive needs product_ids, states or error_code")
        chosen = {State(s) for s in states} if states is not None else set(REDRIVABLE_STATES)
        if not chosen <= REDRIVABLE_STATES:
            bad = sorted(s.value for s in chosen - REDRIVABLE_STATES)
            raise IllegalTransition(",".join(bad), "PENDING", "only FAILED/MANUAL_REVIEW can be re-driven")
        ids = list(product_ids) if product_ids is not None else None
        async with self._require_pool().acquire() as conn, conn.transaction():
            # Transaction-local: the trigger lets operator-only transitions through for this
            # transaction only; a pooled connection never keeps the privilege.
            await conn.execute("SELECT set_config('storebridge.operator', 'on', true)")
            with translated_errors():
                records = await conn.fetch(
                    _REDRIVE_SQL, sorted(s.value for s in chosen), ids, error_code, code, clip(message)
                )
        moved = [product_row(r) for r in records]
        logger.info("product.redrive", extra={"count": len(moved), "code": code, "error_code": error_code})
        return moved

    async def list_stalled(
        self, states: Iterable[State], *, stale_after_s: float, limit: int = 100
    ) -> list[ProductRow]:
        """Products in working ``states`` unchanged for ``stale_after_s`` s (and past ``next_retry_at``
        by as much, if set; DB clock), oldest first. For ``workers.sweeper``; claims nothing."""
        records = await self._require_pool().fetch(
            _STALLED_SQL, [State(s).value for s in states], float(stale_after_s), limit
        )
        return [product_row(r) for r in records]

    async def list_rowless_jobs(
        self, *, stale_after_s: float, lookback_s: float, limit: int = 100
    ) -> list[tuple[str, int, str]]:
        """``(market, item_no, queue)`` of items handed to a worker that never got a product row.

        Every sync of an item creates its row before anything else (``claim``), so an intake job
        confirmed between ``lookback_s`` and ``stale_after_s`` seconds ago whose item has no row
        was lost with its message (or still waits behind a long backlog: re-driving it then costs
        one coalesced entry). Oldest first.
        """
        records = await self._require_pool().fetch(
            _ROWLESS_JOBS_SQL, float(stale_after_s), float(lookback_s), limit
        )
        return [(str(r["market"]), int(r["item_no"]), str(r["queue"])) for r in records]
