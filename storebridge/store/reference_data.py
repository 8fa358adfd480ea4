"""Reference data from the APIs, cached in PostgreSQL: both category trees and Naver's per-leaf rules.

The ``StateStore`` part behind ``storebridge categories`` and ``storebridge.reference``: the Naver
tree (``GET /v1/categories``) and the Domeggook tree (``getCategoryList``) that the category
proposal matches, and what Naver says about a leaf (``GET /v1/categories/{id}``: exceptional
categories and certification types), notice types, origin-area codes and restricted tags. Rows are
what the APIs answered, with the time they were fetched; readers pass ``max_age_s`` and get
nothing for older rows, so an expired entry is fetched again rather than trusted for ever.
Trees and the origin-area list are replaced whole (a category Naver removed must disappear).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from storebridge.store.db import PoolHolder, translated_errors
from storebridge.store.types import Json


@dataclass(frozen=True, slots=True)
class NaverCategoryRow:
    """One Naver category: ``last`` marks a leaf (the only kind a product may use)."""

    id: str
    name: str
    whole_name: str
    last: bool


@dataclass(frozen=True, slots=True)
class DomeggookCategoryRow:
    """One Domeggook category with its ``>``-joined path; ``last`` = no children in the tree."""

    code: str
    name: str
    whole_name: str
    depth: int
    parent_code: str | None
    last: bool


@dataclass(frozen=True, slots=True)
class CategoryDetailRow:
    """What Naver says about one category (``GET /v1/categories/{id}``)."""

    category_id: str
    whole_name: str = ""
    last: bool = True
    exceptional_categories: tuple[str, ...] = ()
    #: ``certificationInfos`` as Naver sent them (``id``, ``name``, ``kindTypes`` …).
    certification_infos: tuple[Mapping[str, Json], ...] = ()


_SELECT_DETAIL = (
    "SELECT category_id, whole_name, last, exceptional_categories, certification_infos "
    "FROM naver_category_details WHERE category_id = $2 "
    "AND fetched_at > now() - make_interval(secs => $1::float8)"
)
_PUT_DETAIL_SQL = """
INSERT INTO naver_category_details
    (category_id, whole_name, last, exceptional_categories, certification_infos, fetched_at)
VALUES ($1, $2, $3, $4, $5, now())
ON CONFLICT (category_id) DO UPDATE SET
    whole_name = EXCLUDED.whole_name, last = EXCLUDED.last,
    exceptional_categories = EXCLUDED.exceptional_categories,
    certification_infos = EXCLUDED.certification_infos, fetched_at = now()
"""
_PUT_NOTICE_SQL = """
INSERT INTO naver_notice_types (category_id, types, body, fetched_at) VALUES ($1, $2, $3, now())
ON CONFLICT (category_id) DO UPDATE SET types = EXCLUDED.types, body = EXCLUDED.body, fetched_at = now()
"""
_PUT_TAG_SQL = """
INSERT INTO naver_tag_checks (tag, restricted, checked_at) VALUES ($1, $2, now())
ON CONFLICT (tag) DO UPDATE SET restricted = EXCLUDED.restricted, checked_at = now()
"""


class ReferenceData(PoolHolder):
    """The reference-data part of ``StateStore`` (tables of migration ``0002_reference_data``)."""

    # -- category trees ------------------------------------------------------------------------------
    async def replace_naver_categories(self, rows: Iterable[NaverCategoryRow]) -> int:
        """Replace the stored Naver tree with ``rows`` in one transaction; returns how many were stored."""
        records = [(r.id, r.name, r.whole_name, r.last) for r in rows]
        return await self._replace("naver_categories", ("id", "name", "whole_name", "last"), records)

    async def naver_categories(self, *, leaves_only: bool = False) -> list[NaverCategoryRow]:
        """The stored Naver tree (leaves only if asked), by path."""
        records = await self._require_pool().fetch(
            "SELECT id, name, whole_name, last FROM naver_categories "
            "WHERE last OR NOT $1 ORDER BY whole_name",
            leaves_only,
        )
        return [NaverCategoryRow(**dict(r.items())) for r in records]

    async def replace_domeggook_categories(self, rows: Iterable[DomeggookCategoryRow]) -> int:
        """Replace the stored Domeggook tree with ``rows`` in one transaction."""
        columns = ("code", "name", "whole_name", "depth", "parent_code", "last")
        records = [(r.code, r.name, r.whole_name, r.depth, r.parent_code, r.last) for r in rows]
        return await self._replace("domeggook_categories", columns, records)

    async def domeggook_categories(self, *, leaves_only: bool = False) -> list[DomeggookCategoryRow]:
        """The stored Domeggook tree (leaves only if asked), by code."""
        records = await self._require_pool().fetch(
            "SELECT code, name, whole_name, depth, parent_code, last FROM domeggook_categories "
            "WHERE last OR NOT $1 ORDER BY code",
            leaves_only,
        )
        return [DomeggookCategoryRow(**dict(r.items())) for r in records]

    # -- per-leaf details ----------------------------------------------------------------------------
    async def put_category_detail(self, detail: CategoryDetailRow) -> None:
        """Store (or refresh) what Naver said about one category."""
        with translated_errors():
            await self._require_pool().execute(
                _PUT_DETAIL_SQL,
                detail.category_id,
                detail.whole_name,
                detail.last,
                list(detail.exceptional_categories),
                [dict(info) for info in detail.certification_infos],
            )

    async def category_detail(self, category_id: str, *, max_age_s: float) -> CategoryDetailRow | None:
        """The stored detail of ``category_id`` if fetched less than ``max_age_s`` ago, else None."""
        record = await self._require_pool().fetchrow(_SELECT_DETAIL, max_age_s, category_id)
        if record is None:
            return None
        return CategoryDetailRow(
            category_id=record["category_id"],
            whole_name=record["whole_name"],
            last=record["last"],
            exceptional_categories=tuple(record["exceptional_categories"]),
            certification_infos=tuple(record["certification_infos"]),
        )

    # -- notice types ------------------------------------------------------------------------------
    async def put_notice_types(self, category_id: str, types: Sequence[str], body: Json) -> None:
        """Store the notice types Naver lists for ``category_id`` ('' = the list of every type)."""
        await self._require_pool().execute(_PUT_NOTICE_SQL, category_id, list(types), body)

    async def notice_types(self, category_id: str, *, max_age_s: float) -> tuple[str, ...] | None:
        """The stored notice types of ``category_id`` if fresh, else None."""
        types = await self._require_pool().fetchval(
            "SELECT types FROM naver_notice_types WHERE category_id = $2 "
            "AND fetched_at > now() - make_interval(secs => $1::float8)",
            max_age_s,
            category_id,
        )
        return tuple(types) if types is not None else None

    # -- origin areas ------------------------------------------------------------------------------
    async def replace_origin_areas(self, areas: Mapping[str, str]) -> int:
        """Replace the stored origin-area list (code → name) in one transaction."""
        return await self._replace("naver_origin_areas", ("code", "name"), sorted(areas.items()))

    async def origin_areas(self, *, max_age_s: float) -> dict[str, str]:
        """Code → name of the stored list, or ``{}`` when it is missing or older than ``max_age_s``."""
        records = await self._require_pool().fetch(
            "SELECT code, name, fetched_at > now() - make_interval(secs => $1::float8) AS fresh "
            "FROM naver_origin_areas ORDER BY code",
            max_age_s,
        )
        if not records or not all(r["fresh"] for r in records):
            return {}
        return {r["code"]: r["name"] for r in records}

    # -- restricted tags ---------------------------------------------------------------------------
    async def put_tag_checks(self, answers: Mapping[str, bool]) -> None:
        """Record Naver's answer (restricted or not) for each tag."""
        if answers:
            async with self._require_pool().acquire() as conn, conn.transaction():
                await conn.executemany(_PUT_TAG_SQL, sorted(answers.items()))

    async def tag_checks(self, tags: Iterable[str], *, max_age_s: float) -> dict[str, bool]:
        """Tag → restricted, for the tags among ``tags`` checked less than ``max_age_s`` ago."""
        records = await self._require_pool().fetch(
            "SELECT tag, restricted FROM naver_tag_checks WHERE tag = ANY($2::text[]) "
            "AND checked_at > now() - make_interval(secs => $1::float8)",
            max_age_s,
            list(dict.fromkeys(tags)),
        )
        return {r["tag"]: r["restricted"] for r in records}

    async def _replace(
        self, table: str, columns: Sequence[str], records: Sequence[tuple[object, ...]]
    ) -> int:
        """Delete every row of ``table`` and copy ``records`` in, in one transaction."""
        async with self._require_pool().acquire() as conn, conn.transaction():
            with translated_errors():
                await conn.execute(f"DELETE FROM {table}")  # noqa: S608 - table names are constants
                if records:
                    await conn.copy_records_to_table(table, records=list(records), columns=list(columns))
        return len(records)


__all__ = [
    "CategoryDetailRow",
    "DomeggookCategoryRow",
    "NaverCategoryRow",
    "ReferenceData",
]
