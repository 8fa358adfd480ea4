"""What the worker processes logged: item outcomes, re-queued messages, client retries after a 429.

The sandbox counts calls, the database counts states; neither sees an item that was *deferred*
(a limiter wait longer than ``max_wait_s`` hands the item back to the queue with a delay, and no
state changes). The workers' JSON log lines do (``worker.item.synced`` with its ``outcome``,
``worker.batch.requeued``, ``naver.request.retry``), so the report reads them from the log file.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

#: Log events counted.
ITEM_SYNCED = "worker.item.synced"
REQUEUED = "worker.batch.requeued"
CLIENT_RETRY = "naver.request.retry"


@dataclass(frozen=True)
class WorkLog:
    """Counts from one worker log."""

    outcomes: Counter[str] = field(default_factory=Counter)
    requeued_messages: int = 0
    client_retries: int = 0

    @property
    def deferred(self) -> int:
        """Item syncs that ended by waiting (re-queued for later), not by an outcome."""
        return self.outcomes.get("deferred", 0) + self.outcomes.get("retry", 0)


def read_worklog(path: Path) -> WorkLog:
    """Count the events of a JSON-lines log (lines that are not JSON are skipped)."""
    outcomes: Counter[str] = Counter()
    requeued = retries = 0
    try:
        lines = path.read_bytes().splitlines()
    except OSError:
        return WorkLog()
    for line in lines:
        if not line.startswith(b"{"):
            continue
        record: dict[str, object] = {}
        with contextlib.suppress(orjson.JSONDecodeError):
            record = orjson.loads(line)
        event = record.get("event")
        if event == ITEM_SYNCED:
            outcomes[str(record.get("outcome"))] += 1
        elif event == REQUEUED:
            requeued += 1
        elif event == CLIENT_RETRY:
            retries += 1
    return WorkLog(outcomes, requeued, retries)
