"""What a scenario left behind, read from the provider's and the database's side, never from our logs.

- *terminal*: the item's row is COMPLETED, SUSPENDED, or MANUAL_REVIEW / FAILED with a reason;
- *lost*: enqueued (and handed to a worker) but not terminal when the bound ran out: no row,
  or a row still in a working state (PENDING, UPLOADING, REGISTERING, RETRYING …);
- *parked by outage*: MANUAL_REVIEW / FAILED whose reason is an infrastructure or transient
  error (a Redis/PostgreSQL/S3 error, an ``INTERNAL_ERROR`` catch-all, a transient API error that
  ran out of retries) — work an outage should have delayed, not parked; *parked (other)* is the
  rest, listed by code;
- *duplicates*: the Naver simulator's own count of seller codes listed more than once;
- *429s*: 429s the simulators answered because a limit was really exceeded (injected 429s of a
  fault storm are counted apart).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import asyncpg

#: Row states in which nothing more will happen without new input.
TERMINAL_STATES = frozenset({"COMPLETED", "SUSPENDED", "MANUAL_REVIEW", "FAILED"})
PARKED_STATES = frozenset({"MANUAL_REVIEW", "FAILED"})
#: A parked row whose code or message matches this was parked by an outage, not by its data.
OUTAGE_REASON = re.compile(
    r"INTERNAL_ERROR|Connection|Timeout|Unavailable|Transient|RateLimited|QuotaExhausted|OutcomeUnknown"
    r"|InfrastructureUnavailable|ImageStorageFailed|ImageFetchFailed|NoSuchBucket|redis|valkey|asyncpg"
    r"|postgres|CannotConnectNow|InterfaceError|botocore|S3|Errno|OSError|gave up after"
    # An expired or revoked token (401 GW.AUTHN) is the gateway's transient state, never the item's.
    r"|Unauthorized|GW\.AUTHN",
    re.IGNORECASE,
)
_ROWS_SQL = """
SELECT item_no, state, last_error_code, last_error_message
FROM products WHERE market = 'dome' AND item_no = ANY($1::bigint[])
"""


@dataclass(frozen=True)
class ItemRow:
    """One product row as the harness sees it."""

    item_no: int
    state: str
    code: str | None
    message: str | None

    @property
    def terminal(self) -> bool:
        """Nothing more will happen to it: done, or parked with a reason."""
        if self.state in PARKED_STATES:
            return bool(self.code)
        return self.state in TERMINAL_STATES

    @property
    def parked_by_outage(self) -> bool:
        """Parked, and the reason names an infrastructure or transient failure."""
        reason = f"{self.code or ''} {self.message or ''}"
        return self.state in PARKED_STATES and bool(OUTAGE_REASON.search(reason))


async def _fetch(database_url: str, sql: str, item_nos: Sequence[int]) -> list[asyncpg.Record] | None:
    """``sql`` run with ``item_nos`` as ``$1``, or None when the database does not answer (an outage)."""
    with contextlib.suppress(Exception):
        conn = await asyncpg.connect(database_url, timeout=3)
        try:
            return list(await conn.fetch(sql, list(item_nos)))
        finally:
            await conn.close()
    return None


async def read_rows(database_url: str, item_nos: Sequence[int]) -> dict[int, ItemRow] | None:
    """The rows of ``item_nos`` now, or None when the database does not answer (an outage)."""
    records = await _fetch(database_url, _ROWS_SQL, item_nos)
    if records is None:
        return None
    return {
        int(r["item_no"]): ItemRow(
            int(r["item_no"]), str(r["state"]), r["last_error_code"], r["last_error_message"]
        )
        for r in records
    }


_PARKED_HISTORY_SQL = """
SELECT DISTINCT ON (p.item_no) p.item_no, e.to_state, e.code, e.message
FROM product_events e JOIN products p ON p.id = e.product_id
WHERE p.market = 'dome' AND p.item_no = ANY($1::bigint[]) AND e.to_state IN ('MANUAL_REVIEW', 'FAILED')
ORDER BY p.item_no, e.id
"""


async def parked_history(database_url: str, item_nos: Sequence[int]) -> list[ItemRow]:
    """Every item of ``item_nos`` that was *ever* parked, with its first parking reason.

    Counted from the append-only event log, so an operator's later re-drive cannot hide it.
    """
    records = await _fetch(database_url, _PARKED_HISTORY_SQL, item_nos) or []
    return [ItemRow(int(r["item_no"]), str(r["to_state"]), r["code"], r["message"]) for r in records]


def count_terminal(rows: dict[int, ItemRow], item_nos: Sequence[int]) -> int:
    """How many of ``item_nos`` are terminal."""
    return sum(1 for no in item_nos if no in rows and rows[no].terminal)


@dataclass
class ScenarioRow:
    """One line of the chaos table, with what a reader needs to tell why it failed."""

    scenario: str
    enqueued: int = 0
    terminal: int = 0
    lost: int = 0
    duplicates: int = 0
    parked_by_outage: int = 0
    parked_other: int = 0
    http_429: int = 0
    injected_429: int = 0
    recover_s: float | None = None
    bound_s: float = 0.0
    restarts: int = 0
    states: dict[str, int] = field(default_factory=dict)
    parked_codes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: Checks particular to a scenario that failed (e.g. the poison entry was not dead-lettered).
    failed_checks: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def recovered(self) -> bool:
        """Every enqueued item terminal within the bound."""
        return self.recover_s is not None

    @property
    def ok(self) -> bool:
        """Passes issue 9's bar: nothing lost, duplicated or parked by an outage, recovered in time."""
        return (
            not self.error
            and self.recovered
            and self.lost == 0
            and self.duplicates == 0
            and self.parked_by_outage == 0
            and not self.failed_checks
        )

    def why(self) -> list[str]:
        """Why the row failed, one short phrase each."""
        reasons = [self.error] if self.error else []
        if self.lost:
            reasons.append(f"{self.lost} lost")
        if self.duplicates:
            reasons.append(f"{self.duplicates} duplicates")
        if self.parked_by_outage:
            reasons.append(f"{self.parked_by_outage} parked by outage")
        if not self.recovered and not self.error:
            reasons.append(f"not recovered within {self.bound_s:.0f} s")
        return reasons + self.failed_checks

    def settle(self, rows: dict[int, ItemRow], item_nos: Sequence[int], history: list[ItemRow]) -> None:
        """Fill the counts from the final rows and the parking history (parked at any moment)."""
        self.enqueued = len(item_nos)
        self.terminal = count_terminal(rows, item_nos)
        self.lost = self.enqueued - self.terminal
        mine = [rows[no] for no in item_nos if no in rows]
        self.states = dict(Counter(r.state for r in mine))
        if len(mine) < len(item_nos):
            self.states["(no row)"] = len(item_nos) - len(mine)
        parked = history or [r for r in mine if r.state in PARKED_STATES]
        self.parked_by_outage = sum(1 for r in parked if r.parked_by_outage)
        self.parked_other = len(parked) - self.parked_by_outage
        self.parked_codes = dict(Counter(f"{r.state}:{r.code}" for r in parked))

    def as_json(self) -> dict[str, Any]:
        """Plain-JSON form (``--json``), with the verdict."""
        return {**asdict(self), "ok": self.ok, "why": self.why()}
