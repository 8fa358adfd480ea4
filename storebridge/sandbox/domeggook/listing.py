"""getItemList (ver 4.0/4.1): parameters, filters, sorting, paging and the header counts.

Rules from ``domeggook-api.md`` §1.3/§1.6: only on-sale items are listed; at least one search
condition (``kw``, ``ca`` at level 2 or deeper, ``id``, ``nick``, ``ev``) is required and a top-level
category alone is not one; an invalid ``ca`` is ignored; ``mxp < mnp`` ignores ``mxp`` (same for
``mxq``/``mnq``); ``sz`` 1–200 (default 20). ``price`` and the price filters use the price at the
item's MOQ tier on the requested ``market``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from storebridge.sandbox.catalog.data import DOMEGGOOK_CATEGORIES, category_depth
from storebridge.sandbox.catalog.model import Catalog, Item, ItemStatus
from storebridge.sandbox.domeggook.errors import (
    BAD_PARAMETER,
    NO_ROWS,
    NO_SEARCH_CONDITION,
    SimDomeggookError,
)
from storebridge.sandbox.domeggook.render import list_price, one_or_list, quirks_for, render_list_item

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
MARKETS = ("dome", "supply")
_CATEGORY_RE = re.compile(r"\d{2}(_\d{2}){4}")

_SORT_KEYS: dict[str, Callable[[Item, str], tuple[Any, ...]]] = {
    "rd": lambda item, market: (-item.rank_score, item.no),
    "ha": lambda item, market: (-item.popularity, item.no),
    "aa": lambda item, market: (list_price(item, market) or 0, item.no),
    "ad": lambda item, market: (-(list_price(item, market) or 0), item.no),
    "sd": lambda item, market: (-item.seller.joined_ts, item.no),
    "qa": lambda item, market: (item.moq, item.no),
    "qd": lambda item, market: (-item.moq, item.no),
    "da": lambda item, market: (-item.modified_ts, item.no),
}


def _int_param(query: Mapping[str, str], name: str, default: int | None) -> int | None:
    raw = query.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(name) from None


def _haystack(item: Item) -> str:
    return f"{item.title} {' '.join(item.keywords)}".lower()


def _event_no(item: Item) -> int | None:
    # Mirrors ``event.join`` in domeggook_render: only items with the object form join an event.
    return item.no % 1000 + 1000 if quirks_for(item.quirk_seed).event_join_obj else None


def list_items(  # noqa: C901, PLR0915 - one pass over getItemList's dozen documented filters reads best in one place
    catalog: Catalog, query: Mapping[str, str], origin: str
) -> dict[str, Any] | SimDomeggookError:
    """The object under ``domeggook`` for one getItemList call, or the error to send instead."""
    market = query.get("market", "")
    if market not in MARKETS:
        return BAD_PARAMETER.detailed("market")
    try:
        size = _int_param(query, "sz", DEFAULT_PAGE_SIZE)
        page = _int_param(query, "pg", 1)
        min_price, max_price = _int_param(query, "mnp", None), _int_param(query, "mxp", None)
        min_moq, max_moq = _int_param(query, "mnq", None), _int_param(query, "mxq", None)
        event = _int_param(query, "ev", None)
    except ValueError as exc:
        return BAD_PARAMETER.detailed(str(exc))
    assert size is not None
    assert page is not None
    if not 1 <= size <= MAX_PAGE_SIZE:
        return BAD_PARAMETER.detailed("sz")
    if page < 1:
        return BAD_PARAMETER.detailed("pg")
    if min_price is not None and max_price is not None and max_price < min_price:
        max_price = None
    if min_moq is not None and max_moq is not None and max_moq < min_moq:
        max_moq = None
    category = query.get("ca", "").strip()
    if not _CATEGORY_RE.fullmatch(category) or category not in DOMEGGOOK_CATEGORIES:
        category = ""  # an invalid code is treated as omitted
    keyword = query.get("kw", "").strip()
    seller_id, nick = query.get("id", "").strip(), query.get("nick", "").strip()
    conditions = (keyword, seller_id, nick, category and category_depth(category) >= 2, event is not None)
    if not any(conditions):
        return NO_SEARCH_CONDITION

    prefix = category.split("_00")[0] if category else ""
    terms = keyword.lower().split()
    who, origin_filter = query.get("who", "").strip().upper(), query.get("org", "").strip().lower()

    def wanted(item: Item) -> bool:
        if item.status is not ItemStatus.ON_SALE:
            return False
        price = list_price(item, market)
        if price is None:
            return False
        if prefix and not item.category_code.startswith(prefix):
            return False
        if seller_id and item.seller.id != seller_id:
            return False
        if nick and item.seller.nick != nick:
            return False
        if terms and not all(t in _haystack(item) for t in terms):
            return False
        if event is not None and _event_no(item) != event:
            return False
        if (min_price is not None and price < min_price) or (max_price is not None and price > max_price):
            return False
        if (min_moq is not None and item.moq < min_moq) or (max_moq is not None and item.moq > max_moq):
            return False
        if who and item.delivery.who != who:
            return False
        domestic = item.spec.country == "대한민국"
        return not ((origin_filter == "kr" and not domestic) or (origin_filter == "fr" and domestic))

    hits = [item for item in catalog if wanted(item)]
    sort = query.get("so", "").strip()
    if (sort == "se" and not terms) or sort not in (*_SORT_KEYS, "se"):
        sort = "se" if terms else "rd"
    if sort == "se":
        hits.sort(
            key=lambda item: (-sum(item.title.lower().count(t) for t in terms), -item.rank_score, item.no)
        )
    else:
        key = _SORT_KEYS[sort]
        hits.sort(key=lambda item: key(item, market))
    pages = math.ceil(len(hits) / size)
    if page > pages:
        return NO_ROWS  # zero hits or past the end: the defensive reading of §1.6
    rows = hits[(page - 1) * size : page * size]
    first = (page - 1) * size + 1
    header = {
        "numberOfItems": len(hits),
        "firstItem": first,
        "lastItem": first + len(rows) - 1,
        # A string on odd pages, an int on even ones: the reference saw both types.
        "currentPage": str(page) if page % 2 else page,
        "itemsPerPage": size,
        "numberOfPages": pages,
        "sort": sort,
    }
    return {
        "header": header,
        "list": {"item": one_or_list([render_list_item(i, origin, market) for i in rows])},
    }
