"""``sync_items``: make the Naver listing of Domeggook items match their source, exactly once.

One call fetches a batch with ``getItemView multiple=true`` (one Domeggook call per 100 items),
then runs each item through the state machine (``storebridge.store.states``):

- new → validate (pure transform) → images (S3 + Naver upload, cached by hash) → REGISTERING with
  a fresh attempt id *before* the POST → create → COMPLETED;
- a create whose answer was lost (timeout, reset, 5xx) → UNKNOWN, never re-posted blindly: after
  ``search_grace_s`` the seller management code is searched and the product adopted if found;
- registered → compare hashes: unchanged → no Naver call; only price/stock → the cheapest call;
  structure → GET → modify → PUT; ended or deleted at Domeggook → sale suspended.

Every failure ends in a recorded state with a code and a message naming the item and the cause;
nothing here lets an exception escape for one item (a bug is recorded as ``INTERNAL_ERROR``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from schemas.domeggook import DomeggookItem
from storebridge.domeggook import DomeggookClient
from storebridge.errors import PermanentError, TransientError
from storebridge.images import ImagePipeline
from storebridge.limiter import QuotaExhausted, RateLimitWait
from storebridge.naver import NaverClient, NaverOutcomeUnknown
from storebridge.store import ProductRow, StaleState, State, StateStore
from storebridge.sync.changes import RulesFingerprint, classify, listing_hashes
from storebridge.sync.result import Outcome, SyncResult
from storebridge.sync.writer import NaverWriter, with_optional_images
from storebridge.transform import (
    ChangeKind,
    Transformed,
    TransformRules,
    build_product,
    image_sources,
    seller_management_code,
)
from storebridge.transform.options import is_on_sale

log = logging.getLogger(__name__)

#: Items of one batch synced at once; Naver calls are paced by the limiter anyway.
ITEM_CONCURRENCY = 4
#: A REGISTERING row younger than this may belong to a live worker's create: leave it alone.
REGISTERING_STALE_S = 120.0
#: "Wait for your slot" signals of the limiter: they defer work, they are never failures.
WAITS = (RateLimitWait, QuotaExhausted)
#: States in which a sync has nothing to do until an operator re-drives the item.
PARKED_STATES = frozenset({State.MANUAL_REVIEW, State.FAILED})


@dataclass(frozen=True)
class SyncSettings:
    """Knobs of the pipeline (from ``Settings``; units in the names)."""

    market: str = "dome"
    search_grace_s: float = 60.0
    max_retries: int = 3
    retry_backoff_base_s: float = 300.0


class Syncer:
    """The pipeline over already-open resources (the caller owns and closes them)."""

    def __init__(
        self,
        *,
        domeggook: DomeggookClient,
        naver: NaverClient,
        images: ImagePipeline,
        store: StateStore,
        rules: TransformRules,
        settings: SyncSettings,
    ) -> None:
        self.domeggook, self.naver, self.images, self.store = domeggook, naver, images, store
        self.rules, self.settings = rules, settings
        self.writer = NaverWriter(naver)
        self.fingerprint = RulesFingerprint.of(rules)

    # -- entry points ----------------------------------------------------------------------------
    async def sync_item(self, item_no: int) -> SyncResult:
        """Sync one item (one Domeggook call)."""
        return (await self.sync_items([item_no]))[0]

    async def sync_items(self, item_nos: Iterable[int]) -> list[SyncResult]:
        """Sync a batch: one batched fetch, then every item concurrently (bounded); never raises."""
        wanted = list(dict.fromkeys(int(no) for no in item_nos))
        try:
            batch = await self.domeggook.get_items(wanted)
        except TransientError as exc:
            return [
                self._result(no, Outcome.RETRY, None, "DOMEGGOOK_UNAVAILABLE", str(exc), exc.retry_after_s)
                for no in wanted
            ]
        by_no: dict[int, SyncResult] = {}
        semaphore = asyncio.Semaphore(ITEM_CONCURRENCY)

        async def run(no: int, coro_factory: Callable[[], Awaitable[SyncResult]]) -> None:
            async with semaphore:
                by_no[no] = await self._guarded(no, coro_factory)

        tasks = [run(item.no, partial(self._sync_found, item)) for item in batch.items]
        tasks += [run(no, partial(self._sync_gone, no)) for no in batch.gone]
        for failure in batch.invalid:
            if failure.item_no is not None:
                message = f"item {failure.item_no}: unusable Domeggook data: {failure.error}"
                tasks.append(
                    run(
                        failure.item_no,
                        partial(self._park, failure.item_no, "SOURCE_INVALID", message),
                    )
                )
        await asyncio.gather(*tasks)
        for no in wanted:
            by_no.setdefault(
                no,
                self._result(
                    no,
                    Outcome.RETRY,
                    None,
                    "DOMEGGOOK_MISSING",
                    f"item {no}: not in the Domeggook answer",
                    60.0,
                ),
            )
        return [by_no[no] for no in wanted]

    # -- per item --------------------------------------------------------------------------------
    async def _guarded(self, item_no: int, factory: Callable[[], Awaitable[SyncResult]]) -> SyncResult:
        """Run one item's coroutine; turn every escaping error into a recorded, named outcome."""
        try:
            return await factory()
        except StaleState as exc:
            return self._result(item_no, Outcome.RETRY, None, "STALE_STATE", str(exc), 1.0)
        except TransientError as exc:
            return self._result(
                item_no, Outcome.DEFERRED, None, type(exc).__name__, str(exc), exc.retry_after_s
            )
        except Exception as exc:  # one item's bug must not stop the batch
            log.exception("sync.item.internal_error", extra={"item_no": item_no})
            return await self._park(item_no, "INTERNAL_ERROR", f"item {item_no}: {type(exc).__name__}: {exc}")

    async def _claim(self, item_no: int) -> ProductRow:
        market = self.settings.market
        return await self.store.claim(market, item_no, seller_management_code(market, item_no))

    async def _sync_found(self, item: DomeggookItem) -> SyncResult:
        row = await self._claim(item.no)
        if row.state in PARKED_STATES:
            return self._from_row(row, Outcome.SKIPPED, row.last_error_code, row.last_error_message)
        if row.state in (State.REGISTERING, State.UNKNOWN):
            row, adopted = await self._reconcile(row)
            if row.state in (State.REGISTERING, State.UNKNOWN):  # still waiting for search
                return self._from_row(
                    row,
                    Outcome.DEFERRED,
                    "CREATE_OUTCOME_UNKNOWN",
                    "waiting before searching Naver by seller code",
                    self._grace_left_s(row),
                )
            if row.state in PARKED_STATES:
                return self._from_row(row, Outcome.MANUAL_REVIEW, row.last_error_code, row.last_error_message)
            if adopted:
                # Hashes are unknown after an adoption, so this is a full update to the current source.
                result = await self._update_registered(row, item)
                if result.outcome in (Outcome.UPDATED, Outcome.UNCHANGED):
                    return SyncResult(
                        result.market,
                        result.item_no,
                        Outcome.ADOPTED,
                        result.state,
                        origin_product_no=result.origin_product_no,
                    )
                return result
        if row.registered:
            return await self._update_registered(row, item)
        return await self._register(row, item)

    async def _register(self, row: ProductRow, item: DomeggookItem) -> SyncResult:
        """PENDING/VALIDATED/UPLOADING/RETRYING/REGISTERING(new attempt) → COMPLETED."""
        sources = image_sources(item)
        dry = build_product(item, self.rules, {url: url for url in sources.all})
        if not isinstance(dry, Transformed):
            codes = ",".join(dry.codes)
            message = "; ".join(r.message for r in dry.rejections)
            return await self._to_review(row, codes.split(",")[0], message, details={"codes": codes})
        if not is_on_sale(item, self.rules) and row.state == State.PENDING:
            return await self._fail(
                row, "NOT_ON_SALE", f"item {item.no}: status {item.basis.status!r}, not listed"
            )
        try:
            if row.state == State.PENDING:
                row = await self.store.transition(row.id, row.state, State.VALIDATED)
            if row.state in (State.VALIDATED, State.RETRYING):
                row = await self.store.transition(row.id, row.state, State.UPLOADING)
            urls, optional = await self._upload_images(item.no, sources.representative or "", sources.detail)
        except PermanentError as exc:
            return await self._to_review(row, getattr(exc, "code", "PERMANENT"), str(exc))
        except WAITS:
            raise  # waiting is not failing: no state change, the item resumes from UPLOADING
        except TransientError as exc:
            return await self._retry(row, type(exc).__name__, str(exc), exc.retry_after_s)
        product = build_product(item, self.rules, urls)
        if not isinstance(product, Transformed):
            return await self._to_review(
                row, product.codes[0], "; ".join(r.message for r in product.rejections)
            )
        payload = with_optional_images(product.payload.to_wire(), optional)
        attempt = uuid.uuid4()
        row = await self.store.transition(
            row.id, row.state, State.REGISTERING, attempt_id=attempt, details={"attempt_id": str(attempt)}
        )
        try:
            created = await self.naver.create_product(payload)
        except NaverOutcomeUnknown as exc:
            row = await self.store.transition(
                row.id,
                State.REGISTERING,
                State.UNKNOWN,
                code="CREATE_OUTCOME_UNKNOWN",
                message=str(exc),
                trace_id=exc.trace_id,
                next_retry_at=self._after(self.settings.search_grace_s),
            )
            return self._from_row(
                row, Outcome.DEFERRED, "CREATE_OUTCOME_UNKNOWN", str(exc), self.settings.search_grace_s
            )
        except PermanentError as exc:
            return await self._to_review(row, getattr(exc, "code", "NAVER_REJECTED"), str(exc))
        except TransientError as exc:  # refused before it could have been applied (429, auth, limiter)
            return await self._retry(
                row, type(exc).__name__, str(exc), exc.retry_after_s, counts=not isinstance(exc, WAITS)
            )
        content, structure = listing_hashes(item, self.fingerprint)
        row = await self.store.transition(
            row.id,
            State.REGISTERING,
            State.COMPLETED,
            code="CREATED",
            trace_id=created.trace_id,
            origin_product_no=created.origin_product_no,
            channel_product_no=created.channel_product_no,
            source_hash=content,
            structure_hash=structure,
            snapshot=self.writer.snapshot(product.payload.to_wire(), {}),
        )
        return self._from_row(row, Outcome.CREATED, trace_id=created.trace_id)

    async def _update_registered(self, row: ProductRow, item: DomeggookItem) -> SyncResult:
        """COMPLETED/UPDATING/SUSPENDED: push only what changed (or nothing)."""
        on_sale = is_on_sale(item, self.rules)
        change = classify(row.source_hash, row.structure_hash, item, self.fingerprint)
        if row.state == State.SUSPENDED and not on_sale:
            change = ChangeKind.NONE
        if change == ChangeKind.NONE and row.state != State.UPDATING:
            await self.store.record_event(row.id, row.state, "UNCHANGED")
            return self._from_row(row, Outcome.UNCHANGED)
        if not on_sale and row.state != State.SUSPENDED:
            return await self._suspend(
                row, "SOURCE_NOT_ON_SALE", f"item {item.no}: status {item.basis.status!r}"
            )
        sources = image_sources(item)
        if row.state != State.UPDATING:
            row = await self.store.transition(row.id, row.state, State.UPDATING, code=change.value.upper())
        resumed = (
            row.snapshot is not None and isinstance(row.snapshot, dict) and row.snapshot.get("suspended")
        )
        try:
            if change == ChangeKind.STRUCTURE or row.structure_hash is None:
                urls, optional = await self._upload_images(
                    item.no, sources.representative or "", sources.detail
                )
                product = build_product(item, self.rules, urls)
                if not isinstance(product, Transformed):
                    return await self._to_review(
                        row, product.codes[0], "; ".join(r.message for r in product.rejections)
                    )
                wire = with_optional_images(product.payload.to_wire(), optional)
                result = await self.writer.replace(row, wire)
                outcome = Outcome.UPDATED
            else:
                product = build_product(item, self.rules, {url: url for url in sources.all})
                if not isinstance(product, Transformed):
                    return await self._to_review(
                        row, product.codes[0], "; ".join(r.message for r in product.rejections)
                    )
                wire = product.payload.to_wire()
                result = await self.writer.price_stock(row, wire)
                outcome = Outcome.PRICE_STOCK
            if resumed:
                await self.writer.resume(row, wire)
                outcome = Outcome.RESUMED
        except PermanentError as exc:
            return await self._to_review(row, getattr(exc, "code", "NAVER_REJECTED"), str(exc))
        except TransientError as exc:
            row = await self.store.record_event(
                row.id,
                State.UPDATING,
                type(exc).__name__,
                message=str(exc),
                next_retry_at=self._after(exc.retry_after_s or self._backoff_s(row.retry_count)),
            )
            return self._from_row(row, Outcome.RETRY, type(exc).__name__, str(exc), exc.retry_after_s)
        content, structure = listing_hashes(item, self.fingerprint)
        row = await self.store.transition(
            row.id,
            State.UPDATING,
            State.COMPLETED,
            code=outcome.value.upper(),
            trace_id=result.trace_id,
            source_hash=content,
            structure_hash=structure,
            snapshot=self.writer.snapshot(wire, result.option_ids),
        )
        return self._from_row(row, outcome, trace_id=result.trace_id)

    async def _sync_gone(self, item_no: int) -> SyncResult:
        """ITEM_ERROR at Domeggook: suspend the Naver product, or record why nothing was listed."""
        row = await self._claim(item_no)
        message = f"item {item_no}: deleted at Domeggook (ITEM_ERROR)"
        if row.state in (State.REGISTERING, State.UNKNOWN):
            row, _ = await self._reconcile(row)
            if row.state in (State.REGISTERING, State.UNKNOWN):
                row = await self.store.transition(
                    row.id,
                    row.state,
                    State.MANUAL_REVIEW,
                    code="ITEM_GONE",
                    message=message + " while its create outcome is unknown",
                )
                return self._from_row(row, Outcome.MANUAL_REVIEW)
        if row.state == State.SUSPENDED:
            await self.store.record_event(row.id, row.state, "UNCHANGED", message=message)
            return self._from_row(row, Outcome.UNCHANGED)
        if row.registered:
            return await self._suspend(row, "ITEM_GONE", message)
        if row.state in PARKED_STATES:
            return self._from_row(row, Outcome.SKIPPED, row.last_error_code, row.last_error_message)
        return await self._fail(row, "ITEM_GONE", message)

    # -- the idempotency protocol ------------------------------------------------------------------
    async def _reconcile(self, row: ProductRow) -> tuple[ProductRow, bool]:
        """REGISTERING/UNKNOWN: adopt the product Naver has under our seller code, or allow a new create.

        Returns the row and whether a product was adopted. A REGISTERING row younger than
        ``REGISTERING_STALE_S`` and an UNKNOWN row inside the grace period are left as they are.
        """
        age_s = (datetime.now(UTC) - row.updated_at).total_seconds()
        if row.state == State.REGISTERING and age_s < REGISTERING_STALE_S:
            return row, False
        if row.state == State.UNKNOWN and self._grace_left_s(row) > 0:
            return row, False
        found = await self.naver.search_by_seller_code(row.seller_management_code)
        if len(found) == 1:
            hit = found[0]
            row = await self.store.transition(
                row.id,
                row.state,
                State.COMPLETED,
                code="ADOPTED",
                message=f"found on Naver by seller code {row.seller_management_code}",
                origin_product_no=hit.origin_product_no,
                channel_product_no=hit.channel_product_no,
            )
            return row, True
        if len(found) > 1:
            numbers = ", ".join(str(f.origin_product_no) for f in found)
            row = await self.store.transition(
                row.id,
                row.state,
                State.MANUAL_REVIEW,
                code="DUPLICATE_ON_NAVER",
                message=f"item {row.item_no}: {row.seller_management_code} on several products: {numbers}",
            )
            return row, False
        if row.state == State.REGISTERING:  # stale, not found: let the grace period decide
            row = await self.store.transition(
                row.id,
                row.state,
                State.UNKNOWN,
                code="CREATE_OUTCOME_UNKNOWN",
                message="worker lost during create",
                next_retry_at=self._after(self.settings.search_grace_s),
            )
            return row, False
        # UNKNOWN past the grace period and not found: the create never happened; allow a new one.
        attempt = uuid.uuid4()
        row = await self.store.transition(
            row.id, State.UNKNOWN, State.REGISTERING, code="NOT_FOUND_RECREATE", attempt_id=attempt
        )
        row = await self.store.transition(
            row.id,
            State.REGISTERING,
            State.RETRYING,
            code="RECREATE",
            message="not found on Naver after the grace period",
        )
        return row, False

    # -- helpers ---------------------------------------------------------------------------------
    async def _upload_images(
        self, item_no: int, representative: str, detail: tuple[str, ...]
    ) -> tuple[dict[str, str], list[str]]:
        """Source URL → Naver URL for every usable image, and the optional (extra) image URLs."""
        images = await self.images.process_item(
            item_no, representative, detail, uploader=self.naver, cache=self.store
        )
        return {representative: images.representative, **images.detail_map}, list(images.optional)

    async def _suspend(self, row: ProductRow, code: str, message: str) -> SyncResult:
        try:
            await self.writer.suspend(row)
        except TransientError as exc:
            return self._from_row(row, Outcome.RETRY, type(exc).__name__, str(exc), exc.retry_after_s)
        snapshot = dict(row.snapshot) if isinstance(row.snapshot, dict) else {}
        snapshot["suspended"] = True
        row = await self.store.transition(
            row.id,
            row.state,
            State.SUSPENDED,
            code=code,
            message=message,
            snapshot=snapshot,
            source_hash=None,
        )
        return self._from_row(row, Outcome.SUSPENDED, code, message)

    async def _to_review(
        self, row: ProductRow, code: str, message: str, details: dict[str, str] | None = None
    ) -> SyncResult:
        if not message.startswith(f"item {row.item_no}"):
            message = f"item {row.item_no}: {message}"
        if row.state == State.UNKNOWN or row.state in PARKED_STATES:
            return self._from_row(row, Outcome.SKIPPED, code, message)
        row = await self.store.transition(
            row.id, row.state, State.MANUAL_REVIEW, code=code, message=message, details=details
        )
        return self._from_row(row, Outcome.MANUAL_REVIEW, code, message)

    async def _fail(self, row: ProductRow, code: str, message: str) -> SyncResult:
        if row.state == State.RETRYING or row.state in (State.PENDING, State.VALIDATED, State.UPLOADING):
            row = await self.store.transition(row.id, row.state, State.FAILED, code=code, message=message)
            return self._from_row(row, Outcome.FAILED, code, message)
        return await self._to_review(row, code, message)

    async def _retry(
        self, row: ProductRow, code: str, message: str, retry_after_s: float | None, *, counts: bool = True
    ) -> SyncResult:
        """RETRYING until ``retry_after_s``; past ``max_retries`` FAILED (a limiter wait never counts)."""
        if counts and row.retry_count >= self.settings.max_retries:
            return await self._fail(row, code, f"{message} (gave up after {row.retry_count} retries)")
        delay_s = retry_after_s if retry_after_s is not None else self._backoff_s(row.retry_count)
        row = await self.store.transition(
            row.id, row.state, State.RETRYING, code=code, message=message, next_retry_at=self._after(delay_s)
        )
        return self._from_row(row, Outcome.RETRY, code, message, delay_s)

    async def _park(self, item_no: int, code: str, message: str) -> SyncResult:
        """Record a failure for an item whose row may be in any state (best effort, never raises)."""
        try:
            row = await self._claim(item_no)
            if row.registered:
                await self.store.record_event(row.id, row.state, code, message=message)
                return self._from_row(row, Outcome.MANUAL_REVIEW, code, message)
            return await self._to_review(row, code, message)
        except Exception:  # the store itself failing; the result says why
            log.exception("sync.item.park_failed", extra={"item_no": item_no, "code": code})
            return self._result(item_no, Outcome.FAILED, None, code, message)

    def _backoff_s(self, retry_count: int) -> float:
        return float(self.settings.retry_backoff_base_s * (2**retry_count))

    def _grace_left_s(self, row: ProductRow) -> float:
        if row.next_retry_at is None:
            return 0.0
        return max(0.0, (row.next_retry_at - datetime.now(UTC)).total_seconds())

    @staticmethod
    def _after(seconds: float) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=seconds)

    def _result(
        self,
        item_no: int,
        outcome: Outcome,
        state: State | None,
        code: str | None = None,
        message: str | None = None,
        retry_after_s: float | None = None,
    ) -> SyncResult:
        return SyncResult(
            self.settings.market,
            item_no,
            outcome,
            state.value if state else None,
            code,
            message,
            retry_after_s,
        )

    def _from_row(
        self,
        row: ProductRow,
        outcome: Outcome,
        code: str | None = None,
        message: str | None = None,
        retry_after_s: float | None = None,
        trace_id: str | None = None,
    ) -> SyncResult:
        return SyncResult(
            row.market,
            row.item_no,
            outcome,
            row.state.value,
            code,
            message,
            retry_after_s,
            row.origin_product_no,
            attempt=row.retry_count,
            trace_id=trace_id,
        )
