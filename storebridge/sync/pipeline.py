"""``Syncer``: make the Naver listing of Domeggook items match their source, exactly once.

One ``getItemView multiple=true`` call per 100 items, then each item through the state machine:

- new → validate (pure transform with Naver's per-leaf gates, ``reference.gates``) → images (S3 +
  Naver upload, cached by hash) → REGISTERING with a fresh attempt id *before* the POST → create;
- a create whose answer was lost (timeout, reset, 5xx), or a worker lost mid-create, is settled by
  the idempotency protocol (``storebridge.sync.reconcile``): never re-posted blindly;
- registered → compare hashes (``storebridge.sync.changes``): unchanged → no Naver call; only
  price/stock → the cheapest call; structure → GET → modify → PUT (``storebridge.sync.writer``);
  ended or deleted at Domeggook → sale suspended.

Every failure ends in a recorded state with a code and a message naming the item and the cause
(``sync.outcomes``); no exception escapes for one item (a bug is ``INTERNAL_ERROR``). An outage of
Redis, PostgreSQL or S3 (``errors.is_infrastructure_error``) is a RETRY with capped backoff, never a park.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial

from schemas.domeggook import DomeggookItem
from storebridge.domeggook import DomeggookClient
from storebridge.errors import PermanentError, TransientError, is_infrastructure_error
from storebridge.images import ImagePipeline
from storebridge.limiter import QuotaExhausted, RateLimitWait
from storebridge.naver import NaverClient, NaverOutcomeUnknown
from storebridge.naver.errors import GATEWAY_WAITS
from storebridge.reference.gates import ReferenceGates
from storebridge.store import ProductRow, State, StateStore
from storebridge.sync.changes import ChangeKind, RulesFingerprint, classify, listing_hashes
from storebridge.sync.outcomes import (
    OUTAGE_BACKOFF_BASE_S,
    OUTAGE_BACKOFF_MAX_S,
    PARKED_STATES,
    OutcomeRecorder,
)
from storebridge.sync.reconcile import (
    OUTCOME_UNKNOWN,
    REGISTERING_STALE_S,
    UNRESOLVED_STATES,
    Reconciler,
    due_in,
)
from storebridge.sync.result import Outcome, SyncResult
from storebridge.sync.snapshot import ListingSnapshot
from storebridge.sync.writer import NaverWriter, with_optional_images
from storebridge.transform import (
    Transformed,
    TransformRejected,
    TransformRules,
    build_product,
    image_sources,
    seller_management_code,
)
from storebridge.transform.options import is_on_sale

logger = logging.getLogger(__name__)

#: Items of one batch synced at once; Naver calls are paced by the limiter anyway.
ITEM_CONCURRENCY = 4
#: "Wait for your slot" signals of the limiter, and the Naver gateway's refusals (429, 403 IP not
#: allowed, 503 maintenance): they defer work, they are never failures and never count an attempt.
WAITS: tuple[type[Exception], ...] = (RateLimitWait, QuotaExhausted, *GATEWAY_WAITS)


@dataclass(frozen=True)
class SyncSettings:
    """Knobs of the pipeline (from ``Settings``; units in the names)."""

    market: str = "dome"
    search_grace_s: float = 60.0
    max_retries: int = 3
    retry_backoff_base_s: float = 300.0
    #: Age after which a REGISTERING row counts as left behind by a lost worker.
    registering_stale_s: float = REGISTERING_STALE_S
    #: Backoff of an item hit by an outage of Redis, PostgreSQL or S3: doubled per outage in a row.
    outage_backoff_base_s: float = OUTAGE_BACKOFF_BASE_S
    outage_backoff_max_s: float = OUTAGE_BACKOFF_MAX_S
    reference_ttl_s: float | None = 86_400.0  # NAVER_REFERENCE_TTL_S; None = no per-leaf gates


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
        self.gates = ReferenceGates.of(naver, store, ttl_s=settings.reference_ttl_s)
        self.reconciler = Reconciler(
            naver=naver,
            store=store,
            search_grace_s=settings.search_grace_s,
            registering_stale_s=settings.registering_stale_s,
        )
        self.record = OutcomeRecorder(
            store=store,
            market=settings.market,
            max_retries=settings.max_retries,
            retry_backoff_base_s=settings.retry_backoff_base_s,
            outage_backoff_base_s=settings.outage_backoff_base_s,
            outage_backoff_max_s=settings.outage_backoff_max_s,
        )

    # -- entry points ----------------------------------------------------------------------------
    async def sync_item(self, item_no: int) -> SyncResult:
        """Sync one item (one Domeggook call)."""
        return (await self.sync_items([item_no]))[0]

    async def sync_items(self, item_nos: Iterable[int]) -> list[SyncResult]:
        """Sync a batch: one batched fetch, then every item concurrently (bounded); never raises."""
        wanted = list(dict.fromkeys(int(no) for no in item_nos))
        try:
            batch = await self.domeggook.get_items(wanted)
        except Exception as exc:
            return await self.record.fetch_failed(wanted, exc)
        if self.gates is not None:
            await self.gates.prefetch_tags(batch.items, self.rules)
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
                park = partial(self.record.park, failure.item_no, "SOURCE_INVALID", message)
                tasks.append(run(failure.item_no, park))
        await asyncio.gather(*tasks)
        for no in wanted:
            if no not in by_no:
                message = f"item {no}: not in the Domeggook answer"
                by_no[no] = self.record.result(
                    no, Outcome.RETRY, code="DOMEGGOOK_MISSING", message=message, retry_after_s=60.0
                )
        return [by_no[no] for no in wanted]

    # -- per item --------------------------------------------------------------------------------
    async def _guarded(self, item_no: int, factory: Callable[[], Awaitable[SyncResult]]) -> SyncResult:
        """Run one item's coroutine; an escaping error becomes a named outcome (``record.escaped``)."""
        try:
            result = await factory()
        except Exception as exc:  # one item's bug must not stop the batch
            result = await self.record.escaped(item_no, exc)
        return self.record.settled(result)

    async def _claim(self, item_no: int) -> ProductRow:
        market = self.settings.market
        return await self.store.claim(market, item_no, seller_management_code(market, item_no))

    async def _sync_found(self, item: DomeggookItem) -> SyncResult:
        row = await self._claim(item.no)
        if row.state in PARKED_STATES:
            return self._parked(row, Outcome.SKIPPED)
        if row.state in UNRESOLVED_STATES:
            settled = await self.reconciler.reconcile(row)
            row = settled.row
            if settled.unresolved:  # still waiting for the search
                return self.record.from_row(
                    row,
                    Outcome.DEFERRED,
                    code=OUTCOME_UNKNOWN,
                    message="waiting before searching Naver by seller code",
                    retry_after_s=self.reconciler.grace_left_s(row),
                )
            if row.state in PARKED_STATES:
                return self._parked(row, Outcome.MANUAL_REVIEW)
            if settled.adopted:
                return await self._complete_adoption(row, item)
        if row.registered:
            return await self._update_registered(row, item)
        return await self._register(row, item)

    async def _complete_adoption(self, row: ProductRow, item: DomeggookItem) -> SyncResult:
        """Hashes are unknown after an adoption, so this is a full update to the current source."""
        result = await self._update_registered(row, item)
        if result.outcome not in (Outcome.UPDATED, Outcome.UNCHANGED):
            return result
        return SyncResult(
            market=result.market,
            item_no=result.item_no,
            outcome=Outcome.ADOPTED,
            state=result.state,
            origin_product_no=result.origin_product_no,
        )

    async def _register(self, row: ProductRow, item: DomeggookItem) -> SyncResult:
        """PENDING/VALIDATED/UPLOADING/RETRYING/REGISTERING(new attempt) → COMPLETED."""
        sources = image_sources(item)
        dry = await self._transform(row, item, {url: url for url in sources.all})
        if isinstance(dry, SyncResult):
            return dry
        if not is_on_sale(item, self.rules) and row.state == State.PENDING:
            message = f"item {item.no}: status {item.basis.status!r}, not listed"
            return await self.record.fail(row, "NOT_ON_SALE", message)
        try:
            if row.state == State.PENDING:
                row = await self.store.transition(row.id, row.state, State.VALIDATED)
            if row.state in (State.VALIDATED, State.RETRYING):
                row = await self.store.transition(row.id, row.state, State.UPLOADING)
            urls, optional = await self._upload_images(item.no, sources.representative or "", sources.detail)
        except PermanentError as exc:
            return await self.record.review(row, getattr(exc, "code", "PERMANENT"), str(exc))
        except WAITS:
            raise  # waiting is not failing: no state change, the item resumes from UPLOADING
        except TransientError as exc:
            if is_infrastructure_error(exc):  # S3 down or emptied: not the item's fault, not counted
                return await self.record.outage(item.no, exc, row=row)
            return await self.record.retry(row, type(exc).__name__, str(exc), exc.retry_after_s)
        product = await self._transform(row, item, urls)
        if isinstance(product, SyncResult):
            return product
        payload = with_optional_images(product.payload.to_wire(), optional)
        row = await self.reconciler.begin(row)
        try:
            created = await self.naver.create_product(payload)
        except NaverOutcomeUnknown as exc:
            row = await self.reconciler.lost(row, exc)
            return self.record.from_row(
                row,
                Outcome.DEFERRED,
                code=OUTCOME_UNKNOWN,
                message=str(exc),
                retry_after_s=self.settings.search_grace_s,
            )
        except PermanentError as exc:
            return await self.record.review(row, getattr(exc, "code", "NAVER_REJECTED"), str(exc))
        except TransientError as exc:  # refused before it could have been applied (429, auth, limiter)
            return await self.record.retry(
                row, type(exc).__name__, str(exc), exc.retry_after_s, counts=not isinstance(exc, WAITS)
            )
        except Exception as exc:
            if not is_infrastructure_error(exc):
                raise
            # The client wraps every transport failure of the POST itself, so a raw outage comes
            # from the limiter's Redis in front of it: the create was not sent.
            return await self.record.outage(item.no, exc, row=row, create_unsent=True)
        content, structure = listing_hashes(item, self.fingerprint)
        row = await self.store.transition(
            row.id,
            State.REGISTERING,
            State.COMPLETED,
            code=Outcome.CREATED.value.upper(),
            trace_id=created.trace_id,
            origin_product_no=created.origin_product_no,
            channel_product_no=created.channel_product_no,
            source_hash=content,
            structure_hash=structure,
            snapshot=ListingSnapshot.of_wire(product.payload.to_wire(), {}).to_json(),
        )
        return self.record.from_row(row, Outcome.CREATED, trace_id=created.trace_id)

    async def _update_registered(self, row: ProductRow, item: DomeggookItem) -> SyncResult:
        """COMPLETED/UPDATING/SUSPENDED: push only what changed (or nothing)."""
        on_sale = is_on_sale(item, self.rules)
        change = classify(row.source_hash, row.structure_hash, item, self.fingerprint)
        if row.state == State.SUSPENDED and not on_sale:
            change = ChangeKind.NONE
        if change == ChangeKind.NONE and row.state != State.UPDATING:
            await self.store.record_event(row.id, row.state, "UNCHANGED")
            return self.record.from_row(row, Outcome.UNCHANGED)
        if not on_sale and row.state != State.SUSPENDED:
            message = f"item {item.no}: status {item.basis.status!r}"
            return await self._suspend(row, "SOURCE_NOT_ON_SALE", message)
        sources = image_sources(item)
        if row.state != State.UPDATING:
            row = await self.store.transition(row.id, row.state, State.UPDATING, code=change.value.upper())
        resumed = ListingSnapshot.from_json(row.snapshot).suspended
        try:
            if change == ChangeKind.STRUCTURE or row.structure_hash is None:
                urls, optional = await self._upload_images(
                    item.no, sources.representative or "", sources.detail
                )
                product = await self._transform(row, item, urls)
                if isinstance(product, SyncResult):
                    return product
                wire = with_optional_images(product.payload.to_wire(), optional)
                written = await self.writer.replace(row, wire)
                outcome = Outcome.UPDATED
            else:
                product = await self._transform(row, item, {url: url for url in sources.all})
                if isinstance(product, SyncResult):
                    return product
                wire = product.payload.to_wire()
                written = await self.writer.price_stock(row, wire)
                outcome = Outcome.PRICE_STOCK
            if resumed:
                await self.writer.resume(row, wire)
                outcome = Outcome.RESUMED
        except PermanentError as exc:
            return await self.record.review(row, getattr(exc, "code", "NAVER_REJECTED"), str(exc))
        except TransientError as exc:
            if is_infrastructure_error(exc):
                return await self.record.outage(item.no, exc, row=row)
            retry_after_s = exc.retry_after_s or self.record.backoff_s(row.retry_count)
            row = await self.store.record_event(
                row.id,
                State.UPDATING,
                type(exc).__name__,
                message=str(exc),
                next_retry_at=due_in(retry_after_s),
            )
            return self.record.transient(row, exc)
        content, structure = listing_hashes(item, self.fingerprint)
        row = await self.store.transition(
            row.id,
            State.UPDATING,
            State.COMPLETED,
            code=outcome.value.upper(),
            trace_id=written.trace_id,
            source_hash=content,
            structure_hash=structure,
            snapshot=ListingSnapshot.of_wire(wire, written.option_ids).to_json(),
        )
        return self.record.from_row(row, outcome, trace_id=written.trace_id)

    async def _sync_gone(self, item_no: int) -> SyncResult:
        """ITEM_ERROR at Domeggook: suspend the Naver product, or record why nothing was listed."""
        row = await self._claim(item_no)
        message = f"item {item_no}: deleted at Domeggook (ITEM_ERROR)"
        if row.state in UNRESOLVED_STATES:
            settled = await self.reconciler.reconcile(row)
            row = settled.row
            if settled.unresolved:  # nothing may be posted, and there is nothing left to post
                row = await self.store.transition(
                    row.id,
                    row.state,
                    State.MANUAL_REVIEW,
                    code="ITEM_GONE",
                    message=message + " while its create outcome is unknown",
                )
                return self.record.from_row(row, Outcome.MANUAL_REVIEW)
        if row.state == State.SUSPENDED:
            await self.store.record_event(row.id, row.state, "UNCHANGED", message=message)
            return self.record.from_row(row, Outcome.UNCHANGED)
        if row.registered:
            return await self._suspend(row, "ITEM_GONE", message)
        if row.state in PARKED_STATES:
            return self._parked(row, Outcome.SKIPPED)
        return await self.record.fail(row, "ITEM_GONE", message)

    # -- helpers ---------------------------------------------------------------------------------
    async def _transform(
        self, row: ProductRow, item: DomeggookItem, image_urls: Mapping[str, str]
    ) -> Transformed | SyncResult:
        """The payload, or the item recorded for review with every reason the transform gave."""
        rules = self.rules if self.gates is None else await self.gates.rules_for(item, self.rules)
        product = build_product(item, rules, image_urls)
        if isinstance(product, TransformRejected):
            return await self.record.rejected(row, product)
        return product

    async def _upload_images(
        self, item_no: int, representative: str, detail: tuple[str, ...]
    ) -> tuple[dict[str, str], list[str]]:
        """Source URL → Naver URL for every usable image, and the optional (extra) image URLs."""
        images = await self.images.process_item(
            item_no, representative, detail, uploader=self.naver, cache=self.store
        )
        return {representative: images.representative, **images.detail_map}, list(images.optional)

    async def _suspend(self, row: ProductRow, code: str, message: str) -> SyncResult:
        """Stop the sale on Naver and remember it, so the next on-sale sync resumes it."""
        try:
            await self.writer.suspend(row)
        except TransientError as exc:
            return self.record.transient(row, exc)
        row = await self.store.transition(
            row.id,
            row.state,
            State.SUSPENDED,
            code=code,
            message=message,
            snapshot=ListingSnapshot.from_json(row.snapshot).as_suspended().to_json(),
            source_hash=None,
        )
        return self.record.from_row(row, Outcome.SUSPENDED, code=code, message=message)

    def _parked(self, row: ProductRow, outcome: Outcome) -> SyncResult:
        """A row parked for an operator: report it with the error that parked it."""
        return self.record.from_row(row, outcome, code=row.last_error_code, message=row.last_error_message)
