"""The state store's listing-rule tables: the category map and the banned words."""

from __future__ import annotations

import pydantic
import pytest

from storebridge.store import BannedWordSpec, CategoryMappingSpec, StateStore


# -- category map ------------------------------------------------------------------------------------
async def test_category_mappings_load_and_read_back(store: StateStore) -> None:
    specs = [
        CategoryMappingSpec(
            domeggook_code="04_01_03_00_00",
            naver_leaf_category_id="50000803",
            required_attributes=["제조일자"],
            default_attributes={"원산지": "중국"},
            confidence=0.9,
        ),
        CategoryMappingSpec(
            domeggook_code="05_02_00_00_00", naver_leaf_category_id="50000167", is_active=False
        ),
    ]

    assert await store.load_category_map(specs, source="file") == 2

    active = await store.category_map()
    assert list(active) == ["04_01_03_00_00"]
    mapping = active["04_01_03_00_00"]
    assert (mapping.naver_leaf_category_id, mapping.required_attributes, mapping.default_attributes) == (
        "50000803",
        ["제조일자"],
        {"원산지": "중국"},
    )
    assert mapping.confidence == pytest.approx(0.9)
    assert (mapping.source, mapping.version, mapping.usage_count, mapping.success_count) == ("file", 1, 0, 0)
    assert set(await store.category_map(include_inactive=True)) == {"04_01_03_00_00", "05_02_00_00_00"}


async def test_reloading_bumps_the_version_only_of_changed_mappings(store: StateStore) -> None:
    base = CategoryMappingSpec(domeggook_code="01_01_00_00_00", naver_leaf_category_id="1")
    await store.load_category_map([base], source="auto")

    assert await store.load_category_map([base], source="auto") == 0
    assert (await store.category_map())["01_01_00_00_00"].version == 1
    changed = base.model_copy(update={"naver_leaf_category_id": "2"})
    assert await store.load_category_map([changed], source="auto") == 1
    assert (await store.category_map())["01_01_00_00_00"].version == 2


async def test_a_manual_mapping_is_never_overwritten_by_the_auto_mapper(store: StateStore) -> None:
    manual = CategoryMappingSpec(domeggook_code="02_00_00_00_00", naver_leaf_category_id="111")
    await store.load_category_map([manual], source="manual")

    guess = CategoryMappingSpec(domeggook_code="02_00_00_00_00", naver_leaf_category_id="222", confidence=0.4)
    assert await store.load_category_map([guess], source="auto") == 0
    assert await store.load_category_map([guess], source="file") == 0
    assert (await store.category_map())["02_00_00_00_00"].naver_leaf_category_id == "111"

    fixed = CategoryMappingSpec(domeggook_code="02_00_00_00_00", naver_leaf_category_id="333")
    assert await store.load_category_map([fixed], source="manual") == 1
    assert (await store.category_map())["02_00_00_00_00"].naver_leaf_category_id == "333"


async def test_category_use_is_counted(store: StateStore) -> None:
    spec = CategoryMappingSpec(domeggook_code="03_00_00_00_00", naver_leaf_category_id="9")
    await store.load_category_map([spec], source="manual")

    await store.count_category_use("03_00_00_00_00", success=True)
    await store.count_category_use("03_00_00_00_00", success=False)

    mapping = (await store.category_map())["03_00_00_00_00"]
    assert (mapping.usage_count, mapping.success_count) == (2, 1)


async def test_bad_category_input_is_refused_before_the_database(store: StateStore) -> None:
    with pytest.raises(pydantic.ValidationError):
        CategoryMappingSpec(domeggook_code="4-1-3", naver_leaf_category_id="1")
    with pytest.raises(pydantic.ValidationError):
        CategoryMappingSpec(domeggook_code="04_01_03_00_00", naver_leaf_category_id="1", confidence=1.5)
    with pytest.raises(ValueError, match="source"):
        await store.load_category_map([], source="guess")
    assert await store.load_category_map([], source="auto") == 0


# -- banned words ------------------------------------------------------------------------------------
SEEDS = [
    BannedWordSpec(word="질병 완치", kind="block", category="medical", severity="high"),
    BannedWordSpec(word="짝퉁", kind="block", category="trademark", severity="high"),
    BannedWordSpec(word="가품", kind="replace", replacement="제품", category="trademark"),
    BannedWordSpec(word="최저가", kind="replace", replacement="합리적 가격", category="exaggeration"),
    BannedWordSpec(word="정품", kind="warn", severity="low"),
    BannedWordSpec(word=r"100\s*%\s*효과", is_regex=True, kind="block", category="exaggeration"),
]


async def test_banned_words_load_and_read_back_in_order(store: StateStore) -> None:
    assert await store.load_banned_words(SEEDS) == len(SEEDS)

    words = await store.banned_words()

    assert [(w.word, w.kind, w.replacement, w.is_regex) for w in words] == [
        (s.word, s.kind, s.replacement, s.is_regex) for s in SEEDS
    ]
    assert words[0].category == "medical"
    assert words[0].severity == "high"
    assert words[0].source == "manual"


async def test_reloading_banned_words_updates_in_place_and_can_deactivate(store: StateStore) -> None:
    await store.load_banned_words(SEEDS)
    retired = SEEDS[4].model_copy(update={"is_active": False})

    assert await store.load_banned_words([retired]) == 1

    assert "정품" not in [w.word for w in await store.banned_words()]
    everything = await store.banned_words(include_inactive=True)
    assert len(everything) == len(SEEDS)
    assert await store.load_banned_words([]) == 0


def test_a_banned_word_rule_must_be_coherent() -> None:
    with pytest.raises(pydantic.ValidationError, match="replacement"):
        BannedWordSpec(word="명품", kind="replace")
    with pytest.raises(pydantic.ValidationError, match="replacement"):
        BannedWordSpec(word="명품", kind="block", replacement="고급")
    with pytest.raises(pydantic.ValidationError, match="regular expression"):
        BannedWordSpec(word="(unclosed", is_regex=True, kind="block")
    with pytest.raises(pydantic.ValidationError):
        BannedWordSpec(word="", kind="block")
