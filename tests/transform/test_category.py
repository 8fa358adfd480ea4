"""Category mapping: exact code first, then each ancestor; nothing guessed beyond the map."""

from __future__ import annotations

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform.category import CategoryMatch, candidate_codes, map_category
from storebridge.transform.result import Rejection, RejectionCode
from tests.paths import item_body


def item_in(category: object) -> DomeggookItem:
    raw = item_body()
    raw["category"] = category
    return DomeggookItem.model_validate(raw)


def current(code: str) -> DomeggookItem:
    return item_in({"current": {"name": "x", "code": code, "depth": 3}})


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("01_07_03_00_00", ["01_07_03_00_00", "01_07_00_00_00", "01_00_00_00_00"]),
        ("01_07_00_00_00", ["01_07_00_00_00", "01_00_00_00_00"]),
        ("01_00_00_00_00", ["01_00_00_00_00"]),
        (
            "01_02_03_04_05",
            ["01_02_03_04_05", "01_02_03_04_00", "01_02_03_00_00", "01_02_00_00_00", "01_00_00_00_00"],
        ),
        ("01_00_03_00_00", ["01_00_03_00_00", "01_00_00_00_00"]),
    ],
)
def test_candidate_codes_go_from_most_specific_to_the_top_level(code: str, expected: list[str]) -> None:
    assert candidate_codes(code) == expected


def test_an_exact_mapping_wins_over_its_parents() -> None:
    match = map_category(
        current("01_07_03_00_00"), {"01_07_03_00_00": "50000001", "01_07_00_00_00": "50000002"}
    )

    assert match == CategoryMatch("50000001", "01_07_03_00_00", "01_07_03_00_00")
    assert match.exact


def test_an_unmapped_code_falls_back_to_its_parent() -> None:
    match = map_category(current("01_07_03_00_00"), {"01_07_00_00_00": "50000002"})

    assert isinstance(match, CategoryMatch)
    assert match.leaf_category_id == "50000002"
    assert not match.exact


def test_an_unmapped_code_falls_back_to_the_top_level() -> None:
    match = map_category(current("01_07_03_00_00"), {"01_00_00_00_00": "50000003"})

    assert isinstance(match, CategoryMatch)
    assert match.matched_code == "01_00_00_00_00"


def test_no_mapping_on_the_whole_path_is_category_not_mapped_listing_what_was_tried() -> None:
    result = map_category(current("01_07_03_00_00"), {"02_00_00_00_00": "50000004"})

    assert result == Rejection(
        RejectionCode.CATEGORY_NOT_MAPPED,
        "category.current.code",
        "item 46072413: category 01_07_03_00_00 is not mapped "
        "(tried 01_07_03_00_00, 01_07_00_00_00, 01_00_00_00_00)",
    )


@pytest.mark.parametrize("code", ["abc", "01_07_03", "1_07_03_00_00", "00_00_00_00_00", "01-07-03-00-00"])
def test_a_malformed_code_is_category_not_mapped(code: str) -> None:
    result = map_category(current(code), {"01_00_00_00_00": "50000003"})

    assert isinstance(result, Rejection)
    assert result.code == RejectionCode.CATEGORY_NOT_MAPPED
    assert "is not five 2-digit levels" in result.message


def test_a_map_value_that_is_not_a_naver_id_is_category_not_mapped() -> None:
    result = map_category(current("01_07_03_00_00"), {"01_07_03_00_00": "텀블러"})

    assert isinstance(result, Rejection)
    assert "is not a Naver category id" in result.message


def test_without_current_the_deepest_parent_is_used() -> None:
    item = item_in(
        {
            "parents": {
                "elem": [{"code": "04_00_00_00_00", "depth": 1}, {"code": "04_01_00_00_00", "depth": 2}]
            }
        }
    )

    match = map_category(item, {"04_01_00_00_00": "50000803"})

    assert isinstance(match, CategoryMatch)
    assert match.source_code == "04_01_00_00_00"


@pytest.mark.parametrize("category", [None, "", {"current": {"code": ""}}, {"parents": {"elem": []}}])
def test_an_item_without_any_category_code_is_category_missing(category: object) -> None:
    result = map_category(item_in(category), {"04_01_00_00_00": "50000803"})

    assert result == Rejection(
        RejectionCode.CATEGORY_MISSING,
        "category.current.code",
        "item 46072413: the item has no category code",
    )
