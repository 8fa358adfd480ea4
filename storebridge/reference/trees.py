"""Fetch both category trees into PostgreSQL: Naver's (``GET /v1/categories``) and Domeggook's
(``getCategoryList``), each replacing the stored one whole.

The Domeggook tree arrives nested; each category gets its ``>``-joined path from its parents'
names (what the proposal matches) and ``last`` when nothing in the tree hangs below it. A code
that is not five two-digit groups (the form the category map stores) is skipped and counted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from schemas.domeggook import CategoryEntry
from schemas.naver import NaverCategory
from storebridge.domeggook import DomeggookClient
from storebridge.naver import NaverClient
from storebridge.store import DomeggookCategoryRow, NaverCategoryRow, StateStore

logger = logging.getLogger(__name__)

_CODE = re.compile(r"[0-9]{2}(_[0-9]{2}){4}")


def domeggook_rows(entries: Sequence[CategoryEntry]) -> tuple[list[DomeggookCategoryRow], int]:
    """Rows with paths and leaf flags from the flattened tree; also how many codes were skipped."""
    by_code = {e.code: e for e in entries}
    parents = {e.parent_code for e in entries if e.parent_code}
    rows: list[DomeggookCategoryRow] = []
    skipped = 0
    for entry in entries:
        if not _CODE.fullmatch(entry.code):
            skipped += 1
            continue
        names: list[str] = []
        node: CategoryEntry | None = entry
        while node is not None and len(names) <= entry.depth:
            names.append(node.name.strip())
            node = by_code.get(node.parent_code) if node.parent_code else None
        rows.append(
            DomeggookCategoryRow(
                code=entry.code,
                name=entry.name.strip(),
                whole_name=">".join(reversed(names)),
                depth=entry.depth,
                parent_code=entry.parent_code,
                last=entry.code not in parents,
            )
        )
    return rows, skipped


def naver_rows(categories: Sequence[NaverCategory]) -> list[NaverCategoryRow]:
    """Rows of ``GET /v1/categories``; a category without ``wholeCategoryName`` has its name as path."""
    return [
        NaverCategoryRow(id=c.id, name=c.name, whole_name=c.whole_category_name or c.name, last=c.last)
        for c in categories
    ]


async def fetch_naver_tree(naver: NaverClient, store: StateStore) -> tuple[int, int]:
    """Replace the stored Naver tree with ``GET /v1/categories``; (categories, leaves) stored."""
    rows = naver_rows(await naver.get_categories())
    stored = await store.replace_naver_categories(rows)
    leaves = sum(1 for r in rows if r.last)
    logger.info("reference.naver_tree.fetched", extra={"categories": stored, "leaves": leaves})
    return stored, leaves


async def fetch_domeggook_tree(domeggook: DomeggookClient, store: StateStore) -> tuple[int, int, int]:
    """Replace the stored Domeggook tree with ``getCategoryList``; (stored, leaves, skipped)."""
    rows, skipped = domeggook_rows(await domeggook.get_categories())
    stored = await store.replace_domeggook_categories(rows)
    leaves = sum(1 for r in rows if r.last)
    logger.info(
        "reference.domeggook_tree.fetched", extra={"categories": stored, "leaves": leaves, "skipped": skipped}
    )
    return stored, leaves, skipped
