"""Plumbing shared by the state store's parts: the pool holder, record → row conversion, and the
translation of PostgreSQL's refusals into StoreBridge's errors (outages pass through as asyncpg's
own types; ``storebridge.errors`` classifies them).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeAlias

import asyncpg
import orjson

from storebridge.store.states import IllegalTransition, State
from storebridge.store.types import InvariantViolation, ProductEvent, ProductRow

#: SQLSTATE raised by the ``products_guard`` trigger for a transition the state table refuses.
SQLSTATE_ILLEGAL_TRANSITION = "SB001"
#: SQLSTATE raised by the triggers for an immutable column or an append-only table.
SQLSTATE_IMMUTABLE = "SB002"
#: Longest error/event message kept, in characters (Naver error bodies can be long).
MAX_MESSAGE_CHARS = 2000

#: The product columns every query returns, in ``ProductRow`` order.
PRODUCT_COLUMNS = (
    "id, market, item_no, state, seller_management_code, origin_product_no, channel_product_no, "
    "source_hash, structure_hash, snapshot, attempt_id, retry_count, next_retry_at, "
    "last_error_code, last_error_message, created_at, updated_at, completed_at"
)
#: The event columns every query returns, in ``ProductEvent`` order.
EVENT_COLUMNS = "id, product_id, from_state, to_state, code, message, trace_id, details, at"

Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


class PoolHolder:
    """Base of ``StateStore`` and its parts: owns the pool reference, refuses use after close."""

    _pool: Pool | None

    def _require_pool(self) -> Pool:
        if self._pool is None:
            raise RuntimeError("StateStore is not open (use `async with StateStore(...)` or `await open()`)")
        return self._pool


def _dumps_json(value: object) -> str:
    return orjson.dumps(value).decode()


async def init_connection(conn: asyncpg.Connection) -> None:
    """Per-connection setup: jsonb columns in and out as Python values (orjson)."""
    await conn.set_type_codec("jsonb", encoder=_dumps_json, decoder=orjson.loads, schema="pg_catalog")


def clip(message: str | None) -> str | None:
    """``message`` cut to ``MAX_MESSAGE_CHARS`` (so one huge error body cannot bloat the history)."""
    if message is None or len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 1] + "…"


def product_row(record: asyncpg.Record) -> ProductRow:
    """A ``ProductRow`` from a record selected with ``PRODUCT_COLUMNS``."""
    values = dict(record.items())
    values["state"] = State(values["state"])
    return ProductRow(**values)


def product_event(record: asyncpg.Record) -> ProductEvent:
    """A ``ProductEvent`` from a record selected with ``EVENT_COLUMNS``."""
    values = dict(record.items())
    for key in ("from_state", "to_state"):
        values[key] = State(values[key]) if values[key] is not None else None
    return ProductEvent(**values)


@contextlib.contextmanager
def translated_errors(from_state: State | None = None, to_state: State | None = None) -> Iterator[None]:
    """Re-raise PostgreSQL's refusals as ``IllegalTransition`` / ``InvariantViolation``.

    Other database errors (connection lost, server shutting down or starting, too many clients)
    pass through unchanged: they are outages, not decisions about the row, and
    ``storebridge.errors.infrastructure_service`` recognises them (SQLSTATE classes 08 and 57P,
    53300, asyncpg's closed-connection errors), so the sync re-queues the item instead of parking it.
    """
    try:
        yield
    except asyncpg.PostgresError as exc:
        sqlstate = getattr(exc, "sqlstate", None)
        detail = getattr(exc, "message", None) or str(exc)
        if sqlstate == SQLSTATE_ILLEGAL_TRANSITION:
            raise IllegalTransition(
                from_state or "?", to_state or "?", f"refused by the database: {detail}"
            ) from exc
        if sqlstate == SQLSTATE_IMMUTABLE or isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            constraint = getattr(exc, "constraint_name", None)
            raise InvariantViolation(f"refused by the database: {detail}", constraint=constraint) from exc
        raise
