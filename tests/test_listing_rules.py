"""Loading the listing rules: the shipped category map, the rules built from settings and from the store."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from storebridge.config import ConfigError, load_settings
from storebridge.listing_rules import load_listing_rules_from_file, read_category_map
from storebridge.sandbox.catalog.data import DOMEGGOOK_CATEGORIES
from storebridge.sandbox.naver.categories import LEAF_CATEGORY_IDS
from storebridge.sandbox.naver.reference import CATEGORY_MAP_PATH
from storebridge.transform.category import candidate_codes
from tests.paths import DOMEGGOOK_DATA


def test_sandbox_map_covers_every_sandbox_category_with_a_naver_leaf() -> None:
    mapping = {s.domeggook_code: s.naver_leaf_category_id for s in read_category_map(CATEGORY_MAP_PATH)}
    assert set(mapping.values()) <= set(LEAF_CATEGORY_IDS)
    for code in DOMEGGOOK_CATEGORIES:
        has_children = any(
            other != code and other.startswith(code.split("_00")[0] + "_") for other in DOMEGGOOK_CATEGORIES
        )
        if not has_children:
            assert any(c in mapping for c in candidate_codes(code)), f"{code} is not mapped"


def test_a_bad_map_row_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "map.csv"
    bad.write_text("domeggook_code,naver_leaf_category_id\n01_01_00_00_00,50000803\nnot-a-code,1\n")
    with pytest.raises(ConfigError, match=r"map\.csv line 3: bad domeggook_code"):
        read_category_map(bad)


def test_rules_need_a_real_as_phone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORE_AS_PHONE", raising=False)
    with pytest.raises(ConfigError, match=r"^STORE_AS_PHONE is not set"):
        load_listing_rules_from_file(load_settings(), CATEGORY_MAP_PATH)
    monkeypatch.setenv("STORE_AS_PHONE", "010-0000-0000")
    with pytest.raises(ConfigError, match=r"^STORE_AS_PHONE"):
        load_listing_rules_from_file(load_settings(), CATEGORY_MAP_PATH)


def test_certification_categories_are_rejected_before_anything_is_spent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from schemas.domeggook import parse_item_view
    from storebridge.transform import build_product, image_sources

    monkeypatch.setenv("STORE_AS_PHONE", "02-1234-5678")
    rules = load_listing_rules_from_file(load_settings(), CATEGORY_MAP_PATH)
    assert rules.certification_required["50000252"] == ("KC",)
    assert rules.certification_required["50001501"] == ("CHILD",)
    raw = (DOMEGGOOK_DATA / "item_view_single.json").read_bytes()
    item = parse_item_view(raw)[0]
    code = item.category.current.code if item.category and item.category.current else None
    assert code is not None
    charger_rules = dataclasses.replace(rules, category_map={code: "50000252"})
    result = build_product(item, charger_rules, {u: u for u in image_sources(item).all})
    assert not result.ok
    rejection = next(r for r in result.rejections if r.code == "CERTIFICATION_REQUIRED")  # type: ignore[union-attr]
    assert rejection.message.startswith(f"item {item.no}: Naver leaf 50000252 requires KC_CERTIFICATION")
    plain_rules = dataclasses.replace(rules, category_map={code: "50000803"})
    assert build_product(item, plain_rules, {u: u for u in image_sources(item).all}).ok


async def test_listing_rules_from_the_store_seed_the_map_and_use_its_banned_words(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storebridge.listing_rules import load_listing_rules_from_store
    from storebridge.store import BannedWordSpec, StateStore

    monkeypatch.setenv("STORE_AS_PHONE", "02-1234-5678")
    monkeypatch.setenv("CATEGORY_MAP_FILE", str(CATEGORY_MAP_PATH))
    async with StateStore(database_url) as store:
        await store.load_banned_words(
            [
                BannedWordSpec(word="짝퉁", kind="block"),
                BannedWordSpec(word="최저가", kind="replace", replacement="합리적 가격"),
            ]
        )
        rules = await load_listing_rules_from_store(load_settings(), store)
        assert rules.category_map["04_01_03_00_00"] == "50000803", "loaded from CATEGORY_MAP_FILE"
        assert rules.certification_required["50000252"] == ("KC",), "requirements survive the database"
        assert {(w.word, w.action, w.replacement) for w in rules.word_rules} == {
            ("짝퉁", "block", ""),
            ("최저가", "replace", "합리적 가격"),
        }
