"""The idempotency protocol of a Naver create: one Domeggook item never becomes two Naver products.

``POST /v2/products`` is the one Naver write that is not idempotent, and its answer can be lost
after Naver applied it (timeout, reset, 5xx). So a create is never re-posted blindly; the seller
management code (``DG-{market}-{no}``, unique per item) is the key that finds what happened:

1. ``begin``: before the POST the row moves to REGISTERING with a fresh ``attempt_id``, so a
   worker that dies mid-create leaves a trace.
2. ``lost``: a create without an answer moves REGISTERING → UNKNOWN and starts the search grace
   period (``search_grace_s``: Naver's search index trails its write path).
3. ``reconcile``, on the next sync of a REGISTERING or UNKNOWN row:

   - REGISTERING younger than ``registering_stale_s``: left alone (a live worker may be creating);
   - UNKNOWN inside the grace period: left alone (an empty search would prove nothing yet);
   - otherwise search by seller code, keeping only live products (never DELETE, CLOSE or
     PROHIBITION rows). One product → COMPLETED, code ADOPTED (the create worked);
     several → MANUAL_REVIEW, code DUPLICATE_ON_NAVER (a person picks the one to keep);
   - none, from a stale REGISTERING → UNKNOWN (the worker was lost; its create may still appear,
     so the grace period starts now);
   - none, from UNKNOWN past the grace period → REGISTERING (new attempt, NOT_FOUND_RECREATE) →
     RETRYING (RECREATE): the create never happened and a new one is allowed.

What the caller does next (update an adopted product, create again, suspend an item deleted at
Domeggook meanwhile) is the pipeline's business (``storebridge.sync.pipeline``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storebridge.naver import NaverClient, NaverOutcomeUnknown
from storebridge.store import ProductRow, State, StateStore

#: A REGISTERING row younger than this may belong to a live worker's create: leave it alone.
REGISTERING_STALE_S = 120.0
#: States in which the outcome of a create is not known yet.
UNRESOLVED_STATES = frozenset({State.REGISTERING, State.UNKNOWN})
#: Event code (and result code) of a create whose outcome is not known yet.
OUTCOME_UNKNOWN = "CREATE_OUTCOME_UNKNOWN"


def due_in(seconds: float) -> datetime:
    """The moment ``seconds`` from now (a row's ``next_retry_at``)."""
    return datetime.now(UTC) + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Reconciliation:
    """The row after ``reconcile`` and whether an existing Naver product was adopted."""

    row: ProductRow
    adopted: bool = False

    @property
    def unresolved(self) -> bool:
        """Still REGISTERING or UNKNOWN: nothing may be posted for this item yet."""
        return self.row.state in UNRESOLVED_STATES


class Reconciler:
    """Runs the protocol of the module docstring for one market's rows (over open clients)."""

    def __init__(
        self,
        *,
        naver: NaverClient,
        store: StateStore,
        search_grace_s: float,
        registering_stale_s: float = REGISTERING_STALE_S,
    ) -> None:
        self.naver, self.store = naver, store
        self.search_grace_s, self.registering_stale_s = search_grace_s, registering_stale_s

    async def begin(self, row: ProductRow) -> ProductRow:
        """Step 1: record a fresh attempt *before* the POST (the row is VALIDATED … UPLOADING)."""
        attempt = uuid.uuid4()
        return await self.store.transition(
            row.id, row.state, State.REGISTERING, attempt_id=attempt, details={"attempt_id": str(attempt)}
        )

    async def lost(self, row: ProductRow, exc: NaverOutcomeUnknown) -> ProductRow:
        """Step 2: the create's answer was lost; search only after the grace period."""
        return await self.store.transition(
            row.id,
            State.REGISTERING,
            State.UNKNOWN,
            code=OUTCOME_UNKNOWN,
            message=str(exc),
            trace_id=exc.trace_id,
            next_retry_at=due_in(self.search_grace_s),
        )

    def grace_left_s(self, row: ProductRow) -> float:
        """Seconds until ``reconcile`` can decide the row (0 when it can now).

        A young REGISTERING row becomes stale ``registering_stale_s`` after its last update; an
        UNKNOWN row is due at its ``next_retry_at``. Waiting exactly that long (rather than
        re-asking every second) keeps an item whose worker died mid-create off the queue until
        it can be settled.
        """
        now = datetime.now(UTC)
        if row.state == State.REGISTERING:
            return max(0.0, self.registering_stale_s - (now - row.updated_at).total_seconds())
        if row.next_retry_at is None:
            return 0.0
        return max(0.0, (row.next_retry_at - now).total_seconds())

    async def reconcile(self, row: ProductRow) -> Reconciliation:
        """Step 3 for a REGISTERING/UNKNOWN row: adopt, send to review, wait, or allow a new create."""
        age_s = (datetime.now(UTC) - row.updated_at).total_seconds()
        if row.state == State.REGISTERING and age_s < self.registering_stale_s:
            return Reconciliation(row=row)
        if row.state == State.UNKNOWN and self.grace_left_s(row) > 0:
            return Reconciliation(row=row)
        # Search also returns products Naver deleted, closed or prohibited [DOC search-product.md]:
        # adopting one would leave the item "listed" on a product nobody can buy.
        found = [f for f in await self.naver.search_by_seller_code(row.seller_management_code) if f.live]
        if len(found) == 1:
            row = await self.store.transition(
                row.id,
                row.state,
                State.COMPLETED,
                code="ADOPTED",
                message=f"found on Naver by seller code {row.seller_management_code}",
                origin_product_no=found[0].origin_product_no,
                channel_product_no=found[0].channel_product_no,
            )
            return Reconciliation(row=row, adopted=True)
        if len(found) > 1:
            numbers = ", ".join(str(f.origin_product_no) for f in found)
            row = await self.store.transition(
                row.id,
                row.state,
                State.MANUAL_REVIEW,
                code="DUPLICATE_ON_NAVER",
                message=f"item {row.item_no}: {row.seller_management_code} on several products: {numbers}",
            )
            return Reconciliation(row=row)
        if row.state == State.REGISTERING:  # stale, not found: let the grace period decide
            row = await self.store.transition(
                row.id,
                row.state,
                State.UNKNOWN,
                code=OUTCOME_UNKNOWN,
                message="worker lost during create",
                next_retry_at=due_in(self.search_grace_s),
            )
            return Reconciliation(row=row)
        return Reconciliation(row=await self._allow_recreate(row))

    async def _allow_recreate(self, row: ProductRow) -> ProductRow:
        """UNKNOWN past the grace period and not found: the create never happened; allow a new one."""
        row = await self.store.transition(
            row.id, State.UNKNOWN, State.REGISTERING, code="NOT_FOUND_RECREATE", attempt_id=uuid.uuid4()
        )
        return await self.store.transition(
            row.id,
            State.REGISTERING,
            State.RETRYING,
            code="RECREATE",
            message="not found on Naver after the grace period",
        )
