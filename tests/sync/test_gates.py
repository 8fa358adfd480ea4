"""Naver's reference data in the sync (issue 8 §1), against both simulators and PostgreSQL.

The pipeline looks the item's leaf up (``GET /v1/categories/{id}``, cached), its top level's
notice types, the origin-area list and the restricted tags before the dry transform, so a gated
item without certification data goes to review before any image is uploaded.
"""

from __future__ import annotations

from collections.abc import Callable

from schemas.domeggook import DomeggookItem
from storebridge.sync import Outcome
from storebridge.transform import (
    Transformed,
    TransformRejected,
    TransformResult,
    build_product,
    image_sources,
)
from storebridge.transform.result import RejectionCode
from tests.sync.harness import Harness

UPLOAD_API = "POST /v1/product-images/upload"
KC_CATEGORIES = ("05_02_01_00_00", "05_04_02_00_00", "05_04_06_00_00")
WEAR_CATEGORIES = ("02_01_02_00_00", "02_01_05_00_00", "02_03_01_00_00", "02_03_04_00_00")


def category(item: DomeggookItem) -> str:
    return item.category.current.code if item.category and item.category.current else ""


def listed(result: TransformResult) -> bool:
    return isinstance(result, Transformed)


def only_certification_missing(result: TransformResult) -> bool:
    codes = [r.code for r in result.rejections] if isinstance(result, TransformRejected) else []
    return codes == [RejectionCode.CERTIFICATION_REQUIRED]


async def find(
    h: Harness, wanted: Callable[[DomeggookItem], bool], accept: Callable[[TransformResult], bool] = listed
) -> DomeggookItem:
    """The first healthy catalog item matching ``wanted`` whose gated dry transform ``accept``s."""
    gates = h.syncer.gates
    assert gates is not None, "the pipeline runs with per-leaf gates by default"
    batch = await h.syncer.domeggook.get_items(h.healthy())
    for item in batch.items:
        if wanted(item):
            rules = await gates.rules_for(item, h.syncer.rules)
            if accept(build_product(item, rules, {url: url for url in image_sources(item).all})):
                return item
    raise AssertionError("the sandbox catalog should hold such an item")


async def test_a_kc_item_with_a_certificate_number_is_listed_with_it(h: Harness) -> None:
    item = await find(h, lambda i: category(i) in KC_CATEGORIES and bool(i.detail and i.detail.safety_cert))

    result = await h.syncer.sync_item(item.no)

    assert result.outcome is Outcome.CREATED, result.line()
    detail = (await h.product(item.no))["originProduct"]["detailAttribute"]
    assert item.detail is not None
    (certificate,) = detail["productCertificationInfos"]
    assert certificate["certificationNumber"] == item.detail.safety_cert[0].no
    assert certificate["certificationKindType"] == "KC_CERTIFICATION"
    assert detail["certificationTargetExcludeContent"]["kcCertifiedProductExclusionYn"] == "FALSE"


async def test_a_kc_item_without_a_certificate_goes_to_review_before_any_upload(h: Harness) -> None:
    item = await find(h, lambda i: category(i) in KC_CATEGORIES, only_certification_missing)
    before = await h.counts()

    result = await h.syncer.sync_item(item.no)

    assert result.outcome is Outcome.MANUAL_REVIEW, result.line()
    assert result.message is not None
    assert "requires KC_CERTIFICATION" in result.message
    assert "no certificate" in result.message
    assert (await h.row(item.no)).last_error_code == RejectionCode.CERTIFICATION_REQUIRED.value
    spent = await h.counts() - before
    assert spent.naver(UPLOAD_API) == 0
    assert spent.naver("POST /v2/products") == 0


async def test_a_clothing_item_gets_a_wear_notice_and_its_origin_code(h: Harness) -> None:
    item = await find(h, lambda i: category(i) in WEAR_CATEGORIES)

    result = await h.syncer.sync_item(item.no)

    assert result.outcome is Outcome.CREATED, result.line()
    detail = (await h.product(item.no))["originProduct"]["detailAttribute"]
    notice = detail["productInfoProvidedNotice"]
    assert notice["productInfoProvidedNoticeType"] == "WEAR"
    assert notice["wear"]["material"]
    country = item.detail.country if item.detail else ""
    expected = {"아시아_중국": "0200037", "대한민국": "00", "아시아_베트남": "0200041"}[country]
    assert detail["originAreaInfo"]["originAreaCode"] == expected


async def test_an_imported_item_gets_its_countrys_code_not_direct_input(h: Harness) -> None:
    item = await find(h, lambda i: bool(i.detail and i.detail.country == "아시아_베트남"))

    result = await h.syncer.sync_item(item.no)

    assert result.outcome is Outcome.CREATED, result.line()
    origin = (await h.product(item.no))["originProduct"]["detailAttribute"]["originAreaInfo"]
    assert origin["originAreaCode"] == "0200041"
    assert origin.get("importer")


async def test_a_restricted_seller_tag_is_dropped_before_create(h: Harness) -> None:
    restricted = {"무료배송", "당일발송"}
    item = await find(
        h, lambda i: bool(i.basis.keywords and restricted & {k.strip("[]()") for k in i.basis.keywords.kw})
    )

    result = await h.syncer.sync_item(item.no)

    assert result.outcome is Outcome.CREATED, result.line()
    seo = (await h.product(item.no))["originProduct"]["detailAttribute"].get("seoInfo") or {}
    tags = {tag["text"] for tag in seo.get("sellerTags", [])}
    assert tags
    assert not tags & restricted
