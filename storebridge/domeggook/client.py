"""Domeggook Open API client (async): item search, item details (single and batched), categories.

Works unchanged against the real API and the sandbox; only ``api_url`` differs. Every call is a GET
on one endpoint chosen by ``ver`` + ``mode`` (reference §1), always with ``om=json``. The API can put
an ``errors`` object in a 200 answer, so errors are looked for on every status. Only ``ITEM_ERROR``
means an item is gone (``ItemGone``); 429 means the key is blocked for at least 3 minutes
(``DomeggookRateLimited``, never retried here); HTTP failures, 5xx, timeouts and non-JSON bodies are
``DomeggookUnavailable`` and retried with jittered backoff up to ``ClientSettings.max_retries``
times. Every answer is parsed with ``schemas.domeggook`` (the envelope and error checks are in
``storebridge.domeggook.errors``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

import aiohttp
from pydantic import SecretStr, ValidationError

from schemas.domeggook import (
    CategoryEntry,
    DomeggookItem,
    ItemParseFailure,
    ListItem,
    flatten_categories,
    parse_category_list,
    parse_item_list,
    parse_item_view,
    parse_item_view_lenient,
)
from storebridge.config import Settings
from storebridge.domeggook.errors import (
    RATE_LIMIT_BLOCK_S,
    DomeggookApiError,
    DomeggookError,
    DomeggookInvalidItem,
    DomeggookRateLimited,
    DomeggookUnavailable,
    ItemBatch,
    ItemGone,
    check_answer,
    make_error,
)
from storebridge.http import (
    ClientSettings,
    Limiter,
    RequestKey,
    SessionOwner,
    TransportFailure,
    retrying,
    send,
)

#: Versions per mode (reference §1.2): list 4.1, detail 4.5 (live-verified, incl. multiple=true).
LIST_VERSION = "4.1"
VIEW_VERSION = "4.5"
CATEGORY_VERSION = "1.0"
MAX_PAGE_SIZE = 200
#: Item numbers per ``multiple=true`` call (reference §1.4, one source); larger inputs are split.
MAX_ITEMS_PER_CALL = 100
#: Every call: one URL, the operation chosen by ``ver`` + ``mode`` in the query, so no path template;
#: one quota per key shared by every mode (reference §4), hence one key for the limiter and metrics.
REQUEST = RequestKey("domeggook", "GET", "")

__all__ = [
    "RATE_LIMIT_BLOCK_S",
    "DomeggookApiError",
    "DomeggookClient",
    "DomeggookError",
    "DomeggookInvalidItem",
    "DomeggookRateLimited",
    "DomeggookUnavailable",
    "ItemBatch",
    "ItemGone",
]

logger = logging.getLogger(__name__)


class DomeggookClient(SessionOwner):
    """One API key's access to Domeggook; an async context manager owning one HTTP session.

    ``limiter`` is the optional rate-limiter hook, called with ``REQUEST`` for every call (the whole
    key shares one 180/min, 15,000/day budget).
    """

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str | SecretStr,
        market: str = "dome",
        client_settings: ClientSettings | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        self._session: aiohttp.ClientSession | None = None
        if market not in ("dome", "supply"):
            raise ValueError(f"market must be 'dome' or 'supply', got {market!r}")
        self._api_url = api_url
        self._key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self.market = market
        self._settings = client_settings or ClientSettings()
        self._limiter = limiter
        self._closed = False

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        limiter: Limiter | None = None,
        client_settings: ClientSettings | None = None,
    ) -> DomeggookClient:
        """Build from the one ``Settings`` object (``client_settings``: ``ClientSettings.from_settings``)."""
        return cls(
            api_url=settings.domeggook_api_url,
            api_key=settings.domeggook_api_key,
            market=settings.domeggook_market,
            client_settings=client_settings or ClientSettings.from_settings(settings),
            limiter=limiter,
        )

    def __repr__(self) -> str:
        return f"DomeggookClient(api_url={self._api_url!r}, market={self.market!r}, closed={self._closed})"

    # -- request core -------------------------------------------------------------------------
    async def _get(
        self, mode: str, ver: str, params: dict[str, str], *, item_no: int | None = None
    ) -> dict[str, Any]:
        """One API call, retried on ``DomeggookUnavailable``; returns the decoded JSON object."""
        session = self._http()
        query = {"ver": ver, "mode": mode, "aid": self._key.get_secret_value(), "om": "json", **params}

        async def attempt() -> dict[str, Any]:
            try:
                raw = await send(session, REQUEST, REQUEST.path(), limiter=self._limiter, params=query)
            except TransportFailure as exc:
                raise make_error(
                    DomeggookUnavailable, f"Domeggook {mode} -> no answer ({exc.kind})", mode, None
                ) from None
            try:
                return check_answer(raw, mode, item_no=item_no, secret=self._key.get_secret_value())
            except DomeggookRateLimited:
                if raw.status != 429 and self._limiter is not None:
                    # A block answered with HTTP 200: report it as the 429 it is, so every process pauses.
                    await self._limiter.after_response(REQUEST, 429, raw.headers)
                raise

        retry = retrying(
            self._settings,
            should_retry=lambda exc: isinstance(exc, DomeggookUnavailable),
            event="domeggook.request.retry",
        )
        return await retry(attempt)

    # -- public API ---------------------------------------------------------------------------
    async def list_items(
        self,
        *,
        keyword: str | None = None,
        category: str | None = None,
        seller_id: str | None = None,
        min_price: int | None = None,
        max_price: int | None = None,
        min_moq: int | None = None,
        max_moq: int | None = None,
        sort: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int | None = None,
    ) -> AsyncIterator[ListItem]:
        """Every on-sale item matching the search, page by page (getItemList 4.1).

        Needs at least one condition (keyword, a level-2+ category such as ``01_07_00_00_00``, or a
        seller); a top-level category alone is refused by the API (``DomeggookApiError``). Stops at
        ``numberOfPages``, at a short or empty page, or at the "no rows" error past the end.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
        filters = {
            "kw": keyword, "ca": category, "id": seller_id, "mnp": min_price, "mxp": max_price,
            "mnq": min_moq, "mxq": max_moq, "so": sort,
        }  # fmt: skip
        params = {name: str(value) for name, value in filters.items() if value is not None}
        params.update(market=self.market, sz=str(page_size))
        page = 1
        while max_pages is None or page <= max_pages:
            try:
                doc = await self._get("getItemList", LIST_VERSION, {**params, "pg": str(page)})
            except DomeggookApiError as exc:
                if exc.no_rows:
                    return
                raise
            try:
                listing = parse_item_list(doc)
            except ValidationError as exc:
                raise make_error(
                    DomeggookUnavailable,
                    f"Domeggook getItemList page {page}: unusable ({exc.error_count()} errors)",
                    "getItemList",
                    200,
                ) from None
            for item in listing.items:
                yield item
            pages = listing.header.number_of_pages
            if not listing.items or len(listing.items) < page_size or (pages and page >= pages):
                return
            page += 1

    async def get_item_raw(self, no: int) -> dict[str, Any]:
        """The decoded getItemView answer for ``no`` as sent by the API (for ``preview`` and debugging)."""
        return await self._get(
            "getItemView", VIEW_VERSION, {"no": str(no), "market": self.market}, item_no=no
        )

    async def get_item(self, no: int) -> DomeggookItem:
        """One item's details; ``ItemGone`` when deleted, ``DomeggookInvalidItem`` when unusable."""
        doc = await self.get_item_raw(no)
        try:
            items = parse_item_view(doc)
        except ValidationError as exc:
            raise make_error(
                DomeggookInvalidItem,
                f"Domeggook item {no}: unusable data: {_summary(exc)}",
                "getItemView",
                200,
                code="INVALID_ITEM",
            ) from None
        if not items:
            raise make_error(
                DomeggookUnavailable, f"Domeggook item {no}: answer holds no item", "getItemView", 200
            )
        return items[0]

    async def get_items(self, nos: Iterable[int], *, confirm_missing: bool = True) -> ItemBatch:
        """Many items with ``multiple=true``: one call per 100 numbers (larger inputs are split).

        A batch answer silently leaves out numbers it cannot serve. With ``confirm_missing`` (the
        default) each left-out number is asked for once on its own, so it ends up in ``items``,
        ``gone`` (ITEM_ERROR) or ``invalid``; otherwise it is reported in ``missing``. [GUESS] A
        batch answering ITEM_ERROR as a whole is resolved the same way, so a live item is never
        reported gone.
        """
        wanted = list(dict.fromkeys(nos))
        result = _BatchBuilder()
        for start in range(0, len(wanted), MAX_ITEMS_PER_CALL):
            chunk = wanted[start : start + MAX_ITEMS_PER_CALL]
            params = {"no": ",".join(map(str, chunk)), "multiple": "true", "market": self.market}
            try:
                doc = await self._get("getItemView", VIEW_VERSION, params)
            except ItemGone:
                unanswered = chunk
            else:
                unanswered = result.add(doc, chunk)
            if not unanswered:
                continue
            if not confirm_missing:
                result.missing.extend(unanswered)
                continue
            logger.info("domeggook.batch.confirm_missing", extra={"count": len(unanswered)})
            for no in unanswered:
                try:
                    single = await self.get_item_raw(no)
                except ItemGone:
                    result.gone.append(no)
                else:
                    result.missing.extend(result.add(single, [no]))
        return result.build()

    async def get_categories(self) -> list[CategoryEntry]:
        """The whole category tree (getCategoryList 1.0), flattened depth-first with parent codes."""
        doc = await self._get("getCategoryList", CATEGORY_VERSION, {})
        try:
            return flatten_categories(parse_category_list(doc))
        except ValidationError:
            raise make_error(
                DomeggookUnavailable, "Domeggook getCategoryList: unusable tree", "getCategoryList", 200
            ) from None


class _BatchBuilder:
    """Accumulates the parts of an ``ItemBatch`` across calls."""

    def __init__(self) -> None:
        self.items: list[DomeggookItem] = []
        self.gone: list[int] = []
        self.missing: list[int] = []
        self.invalid: list[ItemParseFailure] = []

    def add(self, doc: dict[str, Any], asked: Sequence[int]) -> list[int]:
        """Take the items of one getItemView answer; return the asked numbers it did not account for."""
        try:
            batch = parse_item_view_lenient(doc)
        except ValidationError:
            text = "Domeggook getItemView: unusable envelope"
            raise make_error(DomeggookUnavailable, text, "getItemView", 200) from None
        self.items.extend(batch.items)
        self.invalid.extend(batch.failures)
        answered = {item.no for item in batch.items} | {f.item_no for f in batch.failures}
        return [no for no in asked if no not in answered]

    def build(self) -> ItemBatch:
        """The frozen result."""
        return ItemBatch(tuple(self.items), tuple(self.gone), tuple(self.missing), tuple(self.invalid))


def _summary(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}"
