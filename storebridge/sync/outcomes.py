"""How one item's sync ends when it does not succeed: review, retry, fail or park, each recorded.

Every path of the pipeline that stops short of COMPLETED/SUSPENDED goes through one of these, so
the rules live once: a message always names its item; an UNKNOWN or parked row is never moved by a
failure (the idempotency protocol and the operator own those); retries back off exponentially and
give up after ``max_retries``, except limiter waits, which never count. ``OutcomeRecorder`` also
builds every ``SyncResult`` of the pipeline, so results are made in one place, with keywords.

An outage of Redis, PostgreSQL or S3 (``storebridge.errors.infrastructure_service``) is neither a
review nor a failure: ``outage`` answers RETRY with its own backoff, uncounted and without limit
while the outage lasts, doubling per consecutive outage of the item from ``outage_backoff_base_s``
up to ``outage_backoff_max_s``. It leaves the row where it is (entering RETRYING would spend
``retry_count``, so a real error after a long outage would fail the item at once) and records an
event when the store answers. A park whose own write fails for an outage re-queues the same way.
"""

from __future__ import annotations

import logging

from storebridge.errors import NETWORK, SERVICES, TransientError, infrastructure_service, outage_code
from storebridge.store import ProductRow, StaleState, State, StateStore
from storebridge.sync.reconcile import due_in
from storebridge.sync.result import Outcome, SyncResult
from storebridge.transform import TransformRejected, seller_management_code

logger = logging.getLogger(__name__)

#: States in which a sync has nothing to do until an operator re-drives the item.
PARKED_STATES = frozenset({State.MANUAL_REVIEW, State.FAILED})
#: Result codes of ``OutcomeRecorder.outage`` (one per service).
OUTAGE_CODES = frozenset(outage_code(service) for service in SERVICES)
#: States a failure may move to FAILED directly (nothing was ever sent to Naver from them).
FAILABLE_STATES = frozenset({State.PENDING, State.VALIDATED, State.UPLOADING, State.RETRYING})
#: First wait after an outage (s), doubled per consecutive outage of the same item ...
OUTAGE_BACKOFF_BASE_S = 1.0
#: ... up to this (s): soon after the service is back every item is tried again, however long it lasted.
OUTAGE_BACKOFF_MAX_S = 60.0
#: Items whose consecutive outages are remembered; past it the memory starts over (bounds memory).
MAX_TRACKED_OUTAGES = 10_000


class OutcomeRecorder:
    """Records a non-success outcome on the product row and returns the matching ``SyncResult``."""

    def __init__(
        self,
        *,
        store: StateStore,
        market: str,
        max_retries: int,
        retry_backoff_base_s: float,
        outage_backoff_base_s: float = OUTAGE_BACKOFF_BASE_S,
        outage_backoff_max_s: float = OUTAGE_BACKOFF_MAX_S,
    ) -> None:
        self.store, self.market = store, market
        self.max_retries, self.retry_backoff_base_s = max_retries, retry_backoff_base_s
        self.outage_backoff_base_s, self.outage_backoff_max_s = outage_backoff_base_s, outage_backoff_max_s
        #: item → outages in a row in this process (a re-queued item may land on another process,
        #: which starts again from the base wait: the cap, not the count, bounds the waits).
        self._outages: dict[int, int] = {}

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

    async def fetch_failed(self, item_nos: list[int], exc: Exception) -> list[SyncResult]:
        """Results of a batch whose Domeggook fetch raised ``exc`` (re-raised unless transient).

        An outage (the limiter's Redis in front of the call) re-queues every item like any outage;
        Domeggook itself unavailable is a RETRY that does not count either (nothing was tried).
        """
        if infrastructure_service(exc) is not None:
            return [await self.outage(no, exc) for no in item_nos]
        if not isinstance(exc, TransientError):
            raise exc
        return [
            self.result(
                no,
                Outcome.RETRY,
                code="DOMEGGOOK_UNAVAILABLE",
                message=str(exc),
                retry_after_s=exc.retry_after_s,
            )
            for no in item_nos
        ]

    async def escaped(self, item_no: int, exc: Exception) -> SyncResult:
        """The outcome of an error that escaped one item's sync (the pipeline's catch-all).

        A row that moved under us is tried again at once; an outage (Redis, PostgreSQL, S3) is
        re-queued with backoff, whatever step it hit; another transient error is DEFERRED; only
        what is left (a bug) is parked as ``INTERNAL_ERROR``.
        """
        if isinstance(exc, StaleState):
            return self.result(
                item_no, Outcome.RETRY, code="STALE_STATE", message=str(exc), retry_after_s=1.0
            )
        if infrastructure_service(exc) is not None:
            return await self.outage(item_no, exc)
        if isinstance(exc, TransientError):
            return self.result(
                item_no,
                Outcome.DEFERRED,
                code=type(exc).__name__,
                message=str(exc),
                retry_after_s=exc.retry_after_s,
            )
        logger.error("sync.item.internal_error", extra={"item_no": item_no}, exc_info=exc)
        message = f"item {item_no}: {type(exc).__name__}: {exc}"
        return await self.park(item_no, "INTERNAL_ERROR", message)

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
        """Record a failure for an item whose row may be in any state (never raises).

        When the store cannot record it because of an outage, the item is re-queued (``outage``)
        rather than reported FAILED: nothing was written, and a FAILED nobody recorded is lost work.
        """
        try:
            row = await self.store.claim(self.market, item_no, seller_management_code(self.market, item_no))
            if row.registered:
                await self.store.record_event(row.id, row.state, code, message=message)
                return self.from_row(row, Outcome.MANUAL_REVIEW, code=code, message=message)
            return await self.review(row, code, message)
        except Exception as exc:  # the store itself failing; the result says why
            if infrastructure_service(exc) is not None:
                return await self.outage(item_no, exc)
            logger.exception("sync.item.park_failed", extra={"item_no": item_no, "code": code})
            return self.result(item_no, Outcome.FAILED, code=code, message=message)

    async def outage(
        self, item_no: int, exc: BaseException, *, row: ProductRow | None = None, create_unsent: bool = False
    ) -> SyncResult:
        """RETRY after an infrastructure outage (``exc``): capped backoff, never counted, never parked.

        With ``row`` the outage is recorded as an event (code ``<SERVICE>_UNAVAILABLE``, with
        ``next_retry_at``) when the store answers; the row keeps its state. ``create_unsent`` says
        the caller knows its create POST was not sent (the limiter failed before it): a REGISTERING
        row then goes to RETRYING, so the next try creates at once instead of waiting for the
        idempotency protocol to declare the attempt stale.
        """
        service = infrastructure_service(exc) or NETWORK
        code = outage_code(service)
        message = f"item {item_no}: {service} unavailable: {type(exc).__name__}: {exc}"
        delay_s = self._next_outage_delay_s(item_no)
        logger.warning(
            "sync.item.outage",
            extra={
                "item_no": item_no,
                "service": service,
                "error": type(exc).__name__,
                "retry_after_s": delay_s,
            },
        )
        if row is None:
            return self.result(item_no, Outcome.RETRY, code=code, message=message, retry_after_s=delay_s)
        try:
            if create_unsent and row.state == State.REGISTERING:
                row = await self.store.transition(
                    row.id,
                    row.state,
                    State.RETRYING,
                    code=code,
                    message=message,
                    next_retry_at=due_in(delay_s),
                )
            else:
                row = await self.store.record_event(
                    row.id, row.state, code, message=message, next_retry_at=due_in(delay_s)
                )
        except Exception as record_exc:  # recording is best effort; the retry is what matters
            if infrastructure_service(record_exc) is None:
                logger.warning(
                    "sync.item.outage_not_recorded",
                    extra={"item_no": item_no, "error": type(record_exc).__name__},
                )
        return self.from_row(row, Outcome.RETRY, code=code, message=message, retry_after_s=delay_s)

    def settled(self, result: SyncResult) -> SyncResult:
        """Forget the item's outage streak once it ended any other way; returns ``result``."""
        if result.code not in OUTAGE_CODES:
            self._outages.pop(result.item_no, None)
        return result

    def _next_outage_delay_s(self, item_no: int) -> float:
        streak = self._outages.get(item_no, 0)
        if item_no not in self._outages and len(self._outages) >= MAX_TRACKED_OUTAGES:
            self._outages.clear()
        self._outages[item_no] = streak + 1
        return float(min(self.outage_backoff_max_s, self.outage_backoff_base_s * 2 ** min(streak, 32)))

    def backoff_s(self, retry_count: int) -> float:
        """Exponential back-off: ``retry_backoff_base_s`` × 2^``retry_count``."""
        return float(self.retry_backoff_base_s * (2**retry_count))
