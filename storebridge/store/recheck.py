"""Re-checking registered products: when each was last checked, and which are the stalest.

A listing stays true only if its Domeggook source is read again now and then (price, stock, sale
status change there without telling us). ``storebridge enqueue --registered`` (the Helm chart's
default CronJob) asks ``list_for_recheck`` for the settled registered products checked longest
ago and puts them on the intake stream.

"Checked" is ``product_checks.checked_at`` (migration 0003), written by ``check_cte`` in the same
statement as the product's write (``ProductStore._write``), with the database clock, whenever the
write leaves a product settled (``RECHECK_STATES``) without asking for a retry: a registration, an
update, a suspension, an UNCHANGED re-sync, a review recorded against a listing. An outage event
carries ``next_retry_at`` and is not a check, so that product keeps its place at the front. A
table beside ``products`` rather than a column: recording a check never touches the product row
(an UNCHANGED re-sync leaves even ``updated_at`` alone).

UPDATING is left out on purpose: such a product is being worked on or waits for its own retry,
and the daemon's sweeper re-drives it if it stalls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storebridge.store.db import PoolHolder
from storebridge.store.states import State

#: Registered states in which nothing is in flight: the products a re-check may pick.
RECHECK_STATES: frozenset[State] = frozenset({State.COMPLETED, State.SUSPENDED})

#: One more data-modifying CTE for a ``ProductStore`` write statement (``{check}`` of
#: ``products._WRITE_WITH_EVENT``): it records the check of the written row.
_CHECK_CTE = (
    ", chk AS (INSERT INTO product_checks (product_id, checked_at) SELECT id, now() FROM cur "
    "ON CONFLICT (product_id) DO UPDATE SET checked_at = EXCLUDED.checked_at)"
)

# Never-checked products first, then the oldest check; $1: only those checked at least $1 s ago
# (NULL: any), $2: at most this many (NULL: all), $3: ``RECHECK_STATES``.
_RECHECK_SQL = """
SELECT p.market, p.item_no
FROM products p LEFT JOIN product_checks c ON c.product_id = p.id
WHERE p.state = ANY($3::text[])
  AND ($1::float8 IS NULL OR c.checked_at IS NULL OR c.checked_at <= now() - make_interval(secs => $1))
ORDER BY c.checked_at NULLS FIRST, p.id
LIMIT $2
"""


def is_check(state: State, updates: Mapping[str, Any]) -> bool:
    """True when a write leaving a product in ``state`` with ``updates`` is a check of its source."""
    return state in RECHECK_STATES and updates.get("next_retry_at") is None


def check_cte(state: State, updates: Mapping[str, Any]) -> str:
    """The CTE that records the check of a ``ProductStore`` write, or '' when ``is_check`` says no.

    The check commits with the write or not at all, and a write that changed nothing (the state
    guard failed: ``cur`` is empty) records nothing either.
    """
    return _CHECK_CTE if is_check(state, updates) else ""


class Recheck(PoolHolder):
    """The re-check part of ``StateStore``: the stalest settled registered products."""

    async def list_for_recheck(
        self, *, older_than_s: float | None = None, limit: int | None = None
    ) -> list[tuple[str, int]]:
        """``(market, item_no)`` of COMPLETED/SUSPENDED products, least recently checked first.

        ``older_than_s``: only those last checked at least that long ago (by the database clock);
        never-checked products always qualify. ``limit``: at most that many. Reading claims
        nothing: a product enqueued while its sync still runs is coalesced by the intake.
        """
        if older_than_s is not None and older_than_s < 0:
            raise ValueError(f"older_than_s must be >= 0, got {older_than_s}")
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        records = await self._require_pool().fetch(
            _RECHECK_SQL,
            float(older_than_s) if older_than_s is not None else None,
            limit,
            sorted(state.value for state in RECHECK_STATES),
        )
        return [(str(r["market"]), int(r["item_no"])) for r in records]
