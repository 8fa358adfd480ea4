"""The reference-data part of the store: trees replaced whole, per-leaf details and lists expiring."""

from __future__ import annotations

import asyncpg

from storebridge.store import CategoryDetailRow, DomeggookCategoryRow, NaverCategoryRow, StateStore


async def _age(database_url: str, table: str, column: str, seconds: int) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(f"UPDATE {table} SET {column} = {column} - make_interval(secs => {seconds})")
    finally:
        await conn.close()


async def test_trees_are_replaced_whole(store: StateStore) -> None:
    first = [
        NaverCategoryRow("50000008", "생활/건강", "생활/건강", False),
        NaverCategoryRow("50000803", "텀블러", "생활/건강>주방용품>텀블러", True),
    ]
    assert await store.replace_naver_categories(first) == 2
    await store.replace_naver_categories(first[1:])
    assert [c.id for c in await store.naver_categories()] == ["50000803"]
    assert [c.id for c in await store.naver_categories(leaves_only=True)] == ["50000803"]
    rows = [
        DomeggookCategoryRow("04_00_00_00_00", "생활용품", "생활용품", 1, None, False),
        DomeggookCategoryRow("04_01_03_00_00", "텀블러", "생활용품>텀블러", 2, "04_00_00_00_00", True),
    ]
    await store.replace_domeggook_categories(rows)
    assert await store.domeggook_categories(leaves_only=True) == rows[1:]


async def test_a_leaf_detail_is_served_until_it_expires(store: StateStore, database_url: str) -> None:
    detail = CategoryDetailRow(
        category_id="50000252",
        whole_name="디지털/가전>휴대폰액세서리>휴대폰충전기",
        exceptional_categories=("KC_CERTIFICATION",),
        certification_infos=({"id": 1001, "name": "[생활용품] 안전확인", "kindTypes": ["KC_CERTIFICATION"]},),
    )
    await store.put_category_detail(detail)
    assert await store.category_detail("50000252", max_age_s=60) == detail
    assert await store.category_detail("50000251", max_age_s=60) is None
    await _age(database_url, "naver_category_details", "fetched_at", 120)
    assert await store.category_detail("50000252", max_age_s=60) is None
    assert await store.category_detail("50000252", max_age_s=600) == detail


async def test_origin_areas_expire_as_one_list(store: StateStore, database_url: str) -> None:
    await store.replace_origin_areas({"00": "국산", "0200037": "수입산>아시아>중국"})
    assert await store.origin_areas(max_age_s=60) == {"00": "국산", "0200037": "수입산>아시아>중국"}
    await _age(database_url, "naver_origin_areas", "fetched_at", 120)
    assert await store.origin_areas(max_age_s=60) == {}


async def test_tag_checks_answer_only_for_fresh_tags(store: StateStore, database_url: str) -> None:
    await store.put_tag_checks({"최저가": True, "텀블러": False})
    answers = await store.tag_checks(["텀블러", "최저가", "보온병"], max_age_s=60)
    assert answers == {"최저가": True, "텀블러": False}
    await _age(database_url, "naver_tag_checks", "checked_at", 120)
    assert await store.tag_checks(["텀블러"], max_age_s=60) == {}


async def test_notice_types_are_kept_per_category_until_they_expire(
    store: StateStore, database_url: str
) -> None:
    await store.put_notice_types("50000000", ["WEAR", "ETC"], [{"productInfoProvidedNoticeType": "WEAR"}])
    assert await store.notice_types("50000000", max_age_s=60) == ("WEAR", "ETC")
    assert await store.notice_types("50000001", max_age_s=60) is None
    await _age(database_url, "naver_notice_types", "fetched_at", 120)
    assert await store.notice_types("50000000", max_age_s=60) is None
    assert await store.notice_types("50000000", max_age_s=600) == ("WEAR", "ETC")
