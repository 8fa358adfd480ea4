"""The intake's dead-letter stream: what is poison, and the bounded copy a dead letter keeps.

An entry is dead-lettered when it cannot be parsed (``IntakeEntry.from_fields``), when the
database refuses it as data (``is_poison``), or when it was delivered more than ``max_deliveries``
times. The copy is bounded (``bounded_copy``) because the entry is whatever a producer sent: a
10 MB field must not be copied into Redis a second time, yet the operator must see what it was
and how big. ``storebridge status`` counts the stream; ``XRANGE <namespace>:intake:dead`` shows it.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis

from schemas.messages import StreamFields as Fields
from storebridge.errors import is_infrastructure_error
from storebridge.keys import Keys

log = logging.getLogger(__name__)

#: Dead-lettered entries kept at most (a bound on memory, not a retention policy).
DEAD_LETTER_MAXLEN = 1_000_000
#: Longest error text copied into a dead-letter entry or its log line (characters).
MAX_ERROR_CHARS = 500
#: A dead letter copies at most this many of the entry's fields, each name and value cut to these
#: sizes (bytes); what was cut is recorded, never silently lost.
DEAD_LETTER_MAX_FIELDS = 16
DEAD_LETTER_NAME_BYTES = 64
DEAD_LETTER_VALUE_BYTES = 256
#: SQLSTATE classes of "this value is wrong" (22 data exception, 23 integrity constraint violation):
#: the entry is poison, not the database down.
POISON_SQLSTATE_CLASSES = ("22", "23")


def is_poison(exc: BaseException) -> bool:
    """True when recording one entry failed because of the entry itself, not because a service is down.

    A value the database cannot take (asyncpg's client-side ``DataError`` is a ``ValueError``;
    SQLSTATE classes ``POISON_SQLSTATE_CLASSES``) or one Python refuses (``OverflowError``). Such an
    entry fails the same way on every delivery, so it is dead-lettered at once; everything else (an
    outage, a missing schema) fails the step and is retried for every entry alike.
    """
    if is_infrastructure_error(exc):
        return False
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    return isinstance(exc, ValueError | OverflowError) or sqlstate.startswith(POISON_SQLSTATE_CLASSES)


def _as_bytes(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "replace")


def bounded_copy(fields: Fields) -> dict[bytes, bytes]:
    """What a dead letter keeps of an entry: the first ``DEAD_LETTER_MAX_FIELDS`` fields, cut.

    A value longer than ``DEAD_LETTER_VALUE_BYTES`` keeps its start, and ``dead.truncated.<name>``
    holds its original length in bytes; ``dead.fields_dropped`` counts the fields left out.
    """
    copy: dict[bytes, bytes] = {}
    items: list[tuple[bytes | str, bytes | str]] = list(fields.items())
    for raw_name, raw_value in items[:DEAD_LETTER_MAX_FIELDS]:
        name, value = _as_bytes(raw_name)[:DEAD_LETTER_NAME_BYTES], _as_bytes(raw_value)
        copy[name] = value[:DEAD_LETTER_VALUE_BYTES]
        if len(value) > DEAD_LETTER_VALUE_BYTES:
            copy[b"dead.truncated." + name] = str(len(value)).encode()
    if len(items) > DEAD_LETTER_MAX_FIELDS:
        copy[b"dead.fields_dropped"] = str(len(items) - DEAD_LETTER_MAX_FIELDS).encode()
    return copy


async def dead_letter(
    redis: Redis, keys: Keys, entry_id: str, fields: Fields, *, error: str, deliveries: int, consumer: str
) -> None:
    """Copy the entry (bounded) with the reason to the dead-letter stream and ack it, atomically."""
    error = error[:MAX_ERROR_CHARS]
    doc = bounded_copy(fields)
    doc.update(
        {
            b"dead.entry_id": entry_id.encode(),
            b"dead.consumer": consumer.encode(),
            b"dead.error": error.encode("utf-8", "replace"),
            b"dead.deliveries": str(deliveries).encode(),
        }
    )
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(keys.intake_dead_letter, doc, maxlen=DEAD_LETTER_MAXLEN, approximate=True)  # type: ignore[arg-type]
        pipe.xack(keys.intake_stream, keys.intake_group, entry_id)
        await pipe.execute()
    extra = {"entry_id": entry_id, "error": error, "deliveries": deliveries, "consumer": consumer}
    log.warning("intake.entry.dead_lettered", extra=extra)
