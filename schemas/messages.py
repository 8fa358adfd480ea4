"""The runtime's messages: one intake-stream entry per item, one Dramatiq message per batch of items.

``IntakeEntry`` is what ``storebridge enqueue`` (and anything else: cron, a webhook) XADDs to the
intake stream, as flat string fields because that is what a stream holds. The intake daemon reads
entries, drops the ones whose item is already in flight, and groups the rest into ``SyncBatch``
messages of at most 100 items, because one Domeggook ``getItemView multiple=true`` call serves 100
items and the daily quota is counted in calls, not items.

Both models are strict about what they accept: an entry that does not parse is dead-lettered by the
daemon rather than guessed at, so the error names the field. Item numbers are bounded
(``MAX_ITEM_NO``) at every door: the CLI (``commands.common.parse_item_number``), the stream
(``IntakeEntry``) and the Dramatiq message (``SyncBatch``), so a pasted blob such as
``99999999999999999999999`` is refused where it enters instead of failing PostgreSQL's ``bigint``
(and with it a whole read of the intake stream) further down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

#: Most items one ``SyncBatch`` may carry (one ``getItemView multiple=true`` call).
MAX_BATCH_ITEMS = 100
#: Longest ``reason``; it is a short label (import, sync, resync, retry), not prose.
MAX_REASON_CHARS = 32
#: Largest item number accepted anywhere (2^31 - 1, ten digits). Domeggook's numbers are positive
#: integers of eight digits today (``46072413``, reference ``domeggook-api.md`` §2.2); the bound
#: leaves 40× headroom and keeps every number inside a signed 32-bit integer, PostgreSQL's
#: ``bigint`` and Naver's seller management code.
MAX_ITEM_NO = 2**31 - 1
#: Most digits a stream field holding a number may have (an int64 has 19); checked before ``int()``
#: so a megabyte of digits costs nothing to refuse.
MAX_NUMBER_DIGITS = 19
#: Longest stream entry id (``<ms>-<seq>``, two 64-bit numbers).
MAX_ENTRY_ID_CHARS = 41
#: Stream field names, in the order ``to_fields`` writes them.
FIELD_NAMES = ("item_no", "market", "queue", "reason", "enqueued_at_ms")

Market = Literal["dome", "supply"]
QueueName = Literal["normal", "batch"]
#: A lowercase label such as ``sync`` or ``re-sync``; it may end up as a metrics label, so no free text.
Reason = Annotated[str, Field(min_length=1, max_length=MAX_REASON_CHARS, pattern=r"^[a-z][a-z0-9_.-]*$")]
ItemNo = Annotated[int, Field(gt=0, le=MAX_ITEM_NO)]
EntryId = Annotated[str, Field(min_length=3, max_length=MAX_ENTRY_ID_CHARS, pattern=r"^[0-9]+-[0-9]+$")]
#: What redis-py returns for an entry (bytes, or text with ``decode_responses``), or ``to_fields()``.
StreamFields = Mapping[bytes | str, bytes | str] | Mapping[bytes, bytes] | Mapping[str, str]


def _text(name: str, value: bytes | str) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"intake entry field {name!r} is not UTF-8 text") from None
    return value


def _digits(name: str, text: str) -> int:
    """Whole decimal numbers only: '12.0', ' 12', '+12' or '1e3' in a stream entry are somebody's bug."""
    if not text.isascii() or not text.isdigit():
        raise ValueError(
            f"intake entry field {name!r} must be a non-negative whole number, got {text[:40]!r}"
        )
    if len(text) > MAX_NUMBER_DIGITS:
        raise ValueError(
            f"intake entry field {name!r} has {len(text)} digits, at most {MAX_NUMBER_DIGITS}"
            f" (got {text[:40]!r})"
        )
    return int(text)


def _first_error(exc: ValidationError, prefix: str) -> ValueError:
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "entry"
    return ValueError(f"{prefix} field {field!r}: {error['msg']} (got {str(error.get('input'))[:40]!r})")


class IntakeEntry(BaseModel):
    """One request to sync one item, as it travels on the intake stream."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    item_no: ItemNo
    market: Market = "dome"
    queue: QueueName = "normal"
    reason: Reason = "sync"
    #: When the entry was produced (ms since the epoch; producers use Redis ``TIME``), for the lag metric.
    enqueued_at_ms: int = Field(ge=0)

    def to_fields(self) -> dict[str, str]:
        """The stream fields (every value a string, names as in ``FIELD_NAMES``)."""
        return {
            "item_no": str(self.item_no),
            "market": self.market,
            "queue": self.queue,
            "reason": self.reason,
            "enqueued_at_ms": str(self.enqueued_at_ms),
        }

    @classmethod
    def from_fields(cls, fields: StreamFields) -> Self:
        """Parse stream fields; raise ``ValueError`` naming the missing or bad field.

        Unknown fields are ignored, so a newer producer may add some without breaking older daemons.
        """
        values: dict[str, object] = {}
        pairs: Iterable[tuple[bytes | str, bytes | str]] = fields.items()
        for raw_name, raw_value in pairs:
            name = _text("name", raw_name)
            if name in FIELD_NAMES:
                values[name] = _text(name, raw_value)
        for name in ("item_no", "enqueued_at_ms"):
            if name not in values:
                raise ValueError(f"intake entry field {name!r} is missing")
            values[name] = _digits(name, str(values[name]))
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise _first_error(exc, "intake entry") from None


class SyncBatch(BaseModel):
    """The Dramatiq message body: items of one market, queue and reason to sync together.

    Sent as ``batch.model_dump(mode="json")``, parsed by the worker with ``SyncBatch.model_validate``.
    Every item is in flight (``storebridge.intake.inflight``) from the moment the batch is built until the
    worker reached its final outcome; ``entry_ids`` name the stream entries it came from, for logs.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    market: Market = "dome"
    queue: QueueName = "normal"
    reason: Reason = "sync"
    item_nos: list[ItemNo] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)
    entry_ids: list[EntryId] = Field(default_factory=list, max_length=MAX_BATCH_ITEMS)
    #: The oldest entry's ``enqueued_at_ms``: how long the batch's oldest request has been waiting.
    enqueued_at_ms: int = Field(ge=0)

    @model_validator(mode="after")
    def _distinct_items(self) -> Self:
        if len(set(self.item_nos)) != len(self.item_nos):
            raise ValueError("item_nos must not repeat an item (the same item is never in flight twice)")
        return self
