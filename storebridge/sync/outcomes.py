"""How one item's sync ends when it does not succeed: review, retry, fail or park, each recorded.

Every path of the pipeline that stops short of COMPLETED/SUSPENDED goes through one of these, so
the rules live once: a message always names its item; an UNKNOWN or parked row is never moved by a
failure (the idempotency protocol and the operator own those); retries back off exponentially and
give up after ``max_retries``, except limiter waits, which never count. ``OutcomeRecorder`` also
builds every ``SyncResult`` of the pipeline, so results are made in one place, with keywords.
"""

from __future__ import annotations

import logging

from storebridge.errors import TransientError
from storebridge.store import ProductRow, State, StateStore
from storebridge.sync.reconcile import due_in
from storebridge.sync.result import Outcome, SyncResult
from storebridge.transform import TransformRejected, seller_management_code

logger = logging.getLogger(__name__)

#: States in which a sync has nothing to do until an operator re-drives the item.
PARKED_STATES = frozenset({State.MANUAL_REVIEW, State.FAILED})
#: States a failure may move to FAILED directly (nothing was ever sent to Naver from them).
FAILABLE_STATES = frozenset({State.PENDING, State.VALIDATED, State.UPLOADING, State.RETRYING})


class OutcomeRecorder:
    """Records a non-success outcome on the product row and returns the matching ``SyncResult``."""

    def __init__(
        self,
        *,
        store: StateStore,
        market: str,
        max_retries: int,
        retry_backoff_base_s: float,
    ) -> None:
        self.store, self.market = store, market
        self.max_retries, self.retry_backoff_base_s = max_retries, retry_backoff_base_s

    # -- results -----------------------------------------------------------------------------------
    def result(
        self,
        item_no: int,
        outcome: Outcome,
        *,
        code: str,
        message: str,
        retry_after_s: float | None = None,
    ) -> SyncResult:
        """A result for an item whose row could not be read (no state to report)."""
        return SyncResult(
            market=self.market,
            item_no=item_no,
            outcome=outcome,
            state=None,
            code=code,
            message=message,
            retry_after_s=retry_after_s,
        )

    @staticmethod
    def from_row(
        row: ProductRow,
        outcome: Outcome,
        *,
        code: str | None = None,
        message: str | None = None,
        retry_after_s: float | None = None,
        trace_id: str | None = None,
    ) -> SyncResult:
        """The result of an item whose row says where it ended."""
        return SyncResult(
            market=row.market,
            item_no=row.item_no,
            outcome=outcome,
            state=row.state.value,
            code=code,
            message=message,
            retry_after_s=retry_after_s,
            origin_product_no=row.origin_product_no,
            attempt=row.retry_count,
            trace_id=trace_id,
        )

    def transient(self, row: ProductRow, exc: TransientError) -> SyncResult:
        """RETRY reported without moving the row (the caller records the event if it wants one)."""
        return self.from_row(
            row, Outcome.RETRY, code=type(exc).__name__, message=str(exc), retry_after_s=exc.retry_after_s
        )

    # -- recorded outcomes -------------------------------------------------------------------------
    async def review(
        self, row: ProductRow, code: str, message: str, *, details: dict[str, str] | None = None
    ) -> SyncResult:
        """MANUAL_REVIEW: a person must look. UNKNOWN and parked rows are left as they are (SKIPPED)."""
        if not message.startswith(f"item {row.item_no}"):
            message = f"item {row.item_no}: {message}"
        if row.state == State.UNKNOWN or row.state in PARKED_STATES:
            return self.from_row(row, Outcome.SKIPPED, code=code, message=message)
        row = await self.store.transition(
            row.id, row.state, State.MANUAL_REVIEW, code=code, message=message, details=details
        )
        return self.from_row(row, Outcome.MANUAL_REVIEW, code=code, message=message)

    async def rejected(self, row: ProductRow, rejected: TransformRejected) -> SyncResult:
        """The transform refused the item: review under its first code, with every reason and code."""
        message = "; ".join(r.message for r in rejected.rejections)
        return await self.review(row, rejected.codes[0], message, details={"codes": ",".join(rejected.codes)})

    async def fail(self, row: ProductRow, code: str, message: str) -> SyncResult:
        """FAILED when nothing reached Naver yet; otherwise a person must look (review)."""
        if row.state in FAILABLE_STATES:
            row = await self.store.transition(row.id, row.state, State.FAILED, code=code, message=message)
            return self.from_row(row, Outcome.FAILED, code=code, message=message)
        return await self.review(row, code, message)

    async def retry(
        self, row: ProductRow, code: str, message: str, retry_after_s: float | None, *, counts: bool = True
    ) -> SyncResult:
        """RETRYING until ``retry_after_s``; past ``max_retries`` FAILED (a limiter wait never counts)."""
        if counts and row.retry_count >= self.max_retries:
            return await self.fail(row, code, f"{message} (gave up after {row.retry_count} retries)")
        delay_s = retry_after_s if retry_after_s is not None else self.backoff_s(row.retry_count)
        row = await self.store.transition(
            row.id, row.state, State.RETRYING, code=code, message=message, next_retry_at=due_in(delay_s)
        )
        return self.from_row(row, Outcome.RETRY, code=code, message=message, retry_after_s=delay_s)

    async def park(self, item_no: int, code: str, message: str) -> SyncResult:
        """Record a failure for an item whose row may be in any state (best effort, never raises)."""
        try:
            row = await self.store.claim(self.market, item_no, seller_management_code(self.market, item_no))
            if row.registered:
                await self.store.record_event(row.id, row.state, code, message=message)
                return self.from_row(row, Outcome.MANUAL_REVIEW, code=code, message=message)
            return await self.review(row, code, message)
        except Exception:  # the store itself failing; the result says why
            logger.exception("sync.item.park_failed", extra={"item_no": item_no, "code": code})
            return self.result(item_no, Outcome.FAILED, code=code, message=message)

    def backoff_s(self, retry_count: int) -> float:
        """Exponential back-off: ``retry_backoff_base_s`` × 2^``retry_count``."""
        return float(self.retry_backoff_base_s * (2**retry_count))
