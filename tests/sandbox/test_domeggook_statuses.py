"""The sandbox catalog emits Domeggook's other documented statuses (domeggook-api.md §2.4, [DOC S3])."""

from __future__ import annotations

from collections import Counter

from schemas.domeggook import parse_item_view
from storebridge.sandbox.catalog import ItemStatus, generate_catalog
from storebridge.sandbox.domeggook.render import render_item_view


def test_catalog_emits_no_period_and_the_non_selling_statuses_on_the_wire() -> None:
    catalog = generate_catalog(2000, 1, hostile_every=0)
    shown = Counter(
        parse_item_view({"domeggook": render_item_view(item, "http://x")})[0].basis.status
        for item in catalog
        if item.status is not ItemStatus.DELETED
    )
    documented = {"판매중", "기간미지정", "판매종료", "기간종료", "승인거부", "승인대기", "아웃벌점 제재"}

    assert documented <= set(shown)
    assert shown["판매중"] > 10 * shown["기간미지정"] > 0


def test_hostile_items_keep_selling_whatever_their_status_bits() -> None:
    catalog = generate_catalog(400, 3)

    assert all(item.status is ItemStatus.ON_SALE for item in catalog if item.scenarios)
