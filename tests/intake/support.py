"""What the intake tests share: a recording stand-in for the Dramatiq side, and entries to enqueue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from schemas.messages import IntakeEntry, SyncBatch

#: A stream read as redis-py returns it: (entry id, fields) pairs.
Entries = list[tuple[bytes, dict[bytes, bytes]]]


class Recorder:
    """Collects the batches a consumer sends; ``fail`` makes the next sends raise."""

    def __init__(self) -> None:
        self.batches: list[SyncBatch] = []
        self.fail = False
        self.before: Callable[[SyncBatch], Awaitable[None]] | None = None

    async def __call__(self, batch: SyncBatch) -> None:
        if self.before is not None:
            await self.before(batch)
        if self.fail:
            raise ConnectionError("broker unavailable")
        # The worker parses exactly this JSON body.
        self.batches.append(SyncBatch.model_validate(batch.model_dump(mode="json")))

    @property
    def items(self) -> list[int]:
        """Every item number sent, in order."""
        return [no for batch in self.batches for no in batch.item_nos]


def entry(no: int, **fields: object) -> IntakeEntry:
    """An intake entry for item ``no`` (enqueued at a fixed time), with ``fields`` changed."""
    return IntakeEntry.model_validate({"item_no": no, "enqueued_at_ms": 1_700_000_000_000, **fields})
