"""Smart Store's own listing rules (issue 8 §2): price bands, a 0-won option, characters, lengths, words."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform import Transformed, build_product
from storebridge.transform.content import build_detail, clean_name
from storebridge.transform.policy import NAME_FORBIDDEN, OPTION_VALUE_FORBIDDEN, surcharge_range
from storebridge.transform.result import AdjustmentCode, RejectionCode, TransformRejected
from storebridge.transform.text import truncate
from tests.paths import item_body
from tests.transform.support import RULES, UPLOADED


def with_select(data: dict[str, dict[str, str]], opts: list[str], *, price: str = "1+9900") -> dict[str, Any]:
    raw = item_body()
    raw["price"]["dome"] = price
    raw["price"]["resale"] = {}
    raw["selectOpt"] = json.dumps(
        {"type": "combination", "set": [{"name": "색상", "opts": opts}], "data": data}
    )
    return raw


def variant(name: str, qty: int, add_on: int = 0, hid: str = "0") -> dict[str, str]:
    return {"name": name, "dom": "1", "domPrice": str(add_on), "qty": str(qty), "hid": hid}


def listed(raw: dict[str, Any]) -> dict[str, Any]:
    result = build_product(DomeggookItem.model_validate(raw), RULES, UPLOADED)
    assert isinstance(result, Transformed), result
    origin: dict[str, Any] = result.payload.to_wire()["originProduct"]
    return origin


def rows_of(origin: dict[str, Any]) -> list[tuple[str, int, int, bool]]:
    rows = origin["detailAttribute"]["optionInfo"]["optionCombinations"]
    return [(r["optionName1"], r["price"], r["stockQuantity"], r["usable"]) for r in rows]


@pytest.mark.parametrize(
    ("sale", "expected"),
    [
        (1_500, (0, 1_500)),
        (1_999, (0, 1_999)),
        (2_000, (-1_000, 2_000)),
        (5_000, (-2_500, 5_000)),
        (9_990, (-4_995, 9_990)),
        (10_000, (-5_000, 5_000)),
        (12_345, (-6_172, 6_172)),
    ],
)
def test_surcharge_bands_follow_the_sale_price(sale: int, expected: tuple[int, int]) -> None:
    assert surcharge_range(sale) == expected


def test_a_cheap_item_never_sends_a_negative_surcharge() -> None:
    # Cost 1,000 → sale 1,200 (< 2,000: 0…+100 %); the −500 add-on variant would be −600.
    raw = with_select(
        {"00": variant("기본", 5), "01": variant("할인", 5, add_on=-500)}, ["기본", "할인"], price="1+1000"
    )

    origin = listed(raw)

    assert origin["salePrice"] == 1_200
    assert rows_of(origin) == [("기본", 0, 5, True), ("할인", 0, 0, False)]


def test_a_surcharge_up_to_double_the_price_is_kept_between_2000_and_9999_won() -> None:
    # Cost 4,000 → sale 4,800; a 2,500 add-on is +3,000 (62 %): allowed there, refused at ≥ 10,000.
    raw = with_select(
        {"00": variant("S", 5), "01": variant("XL", 5, add_on=2_500)}, ["S", "XL"], price="1+4000"
    )

    assert rows_of(listed(raw)) == [("S", 0, 5, True), ("XL", 3_000, 5, True)]


def test_a_sold_out_add_on_free_variant_rebases_the_price_on_the_cheapest_sellable_one() -> None:
    raw = with_select(
        {
            "00": variant("블랙", 0),
            "01": variant("화이트", 7, add_on=1_000),
            "02": variant("레드", 3, add_on=1_500),
        },
        ["블랙", "화이트", "레드"],
    )

    result = build_product(DomeggookItem.model_validate(raw), RULES, UPLOADED)

    assert isinstance(result, Transformed)
    origin = result.payload.to_wire()["originProduct"]
    # 9,900 + 1,000 at 20 % → 13,080; the others move by the same 1,200.
    assert origin["salePrice"] == 13_080
    assert rows_of(origin) == [("블랙", -1_200, 0, True), ("화이트", 0, 7, True), ("레드", 600, 3, True)]
    assert AdjustmentCode.PRICE_REBASED in {note.code for note in result.adjustments}


def test_a_hidden_add_on_free_variant_also_rebases_the_price() -> None:
    raw = with_select(
        {"00": variant("블랙", 9, hid="1"), "01": variant("화이트", 7, add_on=500)}, ["블랙", "화이트"]
    )

    origin = listed(raw)

    assert origin["salePrice"] == 12_480
    assert rows_of(origin) == [("블랙", -600, 0, False), ("화이트", 0, 7, True)]


def test_every_listing_with_options_has_a_sellable_row_at_zero() -> None:
    raw = with_select({"00": variant("a", 1, add_on=300), "01": variant("b", 2, add_on=800)}, ["a", "b"])

    rows = rows_of(listed(raw))

    assert any(price == 0 and usable for _, price, _, usable in rows)


def test_forbidden_characters_in_option_values_are_replaced_not_deleted() -> None:
    raw = with_select({"00": variant("x", 3), "01": variant("y", 3)}, ['12" 블랙*특가', "S/M <신상>?"])

    names = [name for name, *_ in rows_of(listed(raw))]

    assert names == ["12' 블랙 특가", "S-M (신상)"]
    assert not any(ch in OPTION_VALUE_FORBIDDEN for name in names for ch in name)


def test_long_option_values_stay_below_25_characters_without_half_a_bracket() -> None:
    raw = with_select(
        {"00": variant("x", 3), "01": variant("y", 3)},
        ["스테인리스 텀블러 사이즈 (지름 30cm 원형)", "가" * 40],
    )

    names = [name for name, *_ in rows_of(listed(raw))]

    assert names == ["스테인리스 텀블러 사이즈", "가" * 24]


def test_truncate_never_leaves_an_open_bracket() -> None:
    assert truncate("사이즈 (지름 30cm)", 10) == "사이즈"
    assert truncate("(특대형사이즈)텀블러", 5) == "특대형사"
    assert truncate("[무료배송] 텀블러 (대)", 13) == "[무료배송] 텀블러"


def test_forbidden_characters_in_the_name_are_replaced_and_words_kept() -> None:
    raw = item_body()
    raw["basis"]["title"] = '스텐 텀블러 *특가* 12" <신상>?'

    outcome = clean_name(DomeggookItem.model_validate(raw), RULES)

    assert outcome.name == "스텐 텀블러 특가 12' (신상)"
    assert outcome.name is not None
    assert not set(outcome.name) & NAME_FORBIDDEN


def test_notice_model_and_item_names_lose_forbidden_characters_and_stay_below_50() -> None:
    raw = item_body()
    raw["detail"]["model"] = 'Bottle 32oz *Straw "Lid" ' + "x" * 60

    etc = listed(raw)["detailAttribute"]["productInfoProvidedNotice"]["etc"]

    assert etc["modelName"].startswith("Bottle 32oz Straw 'Lid'")
    assert len(etc["modelName"]) <= 49
    assert not set(etc["modelName"]) & NAME_FORBIDDEN


@pytest.mark.parametrize(
    "html",
    [
        "<p>무 조 건 빠져요</p>",
        "<p>무조<b>건</b> 빠져요</p>",
        "<p>반드시&nbsp;효과</p>",
        "<p>완\u200b치</p>",
        "<p>의약<span>품</span></p>",
        "<p>100 % 효과</p>",
    ],
)
def test_banned_words_are_found_in_what_the_shopper_reads(html: str) -> None:
    raw = item_body()
    raw["desc"]["contents"]["item"] = html

    outcome = build_detail(DomeggookItem.model_validate(raw), "텀블러", RULES, {}, None)

    assert [r.code for r in outcome.rejections] == [RejectionCode.BANNED_WORD]


def test_a_replace_word_split_by_markup_is_a_rejection_because_it_cannot_be_rewritten() -> None:
    raw = item_body()
    raw["desc"]["contents"]["item"] = "<p>최저<b>가</b> 도전</p>"

    outcome = build_detail(DomeggookItem.model_validate(raw), "텀블러", RULES, {}, None)

    assert outcome.html is None
    assert "최저가 (split by markup)" in outcome.rejections[0].message


def test_spaced_single_word_in_the_name_is_blocked() -> None:
    raw = item_body()
    raw["basis"]["title"] = "텀블러 무 조 건 1등"

    outcome = clean_name(DomeggookItem.model_validate(raw), RULES)

    assert outcome.name is None
    assert outcome.rejections[0].code == RejectionCode.BANNED_WORD


def test_exchange_fee_is_twice_the_one_way_return_fee() -> None:
    raw = item_body()
    raw["return"] = {"deliAmt": "3000"}

    claim = listed(raw)["deliveryInfo"]["claimDeliveryInfo"]

    assert (claim["returnDeliveryFee"], claim["exchangeDeliveryFee"]) == (3_000, 6_000)


def test_all_variants_unsellable_is_still_a_review_case() -> None:
    raw = with_select({"00": variant("a", 3, hid="1"), "01": variant("b", 3, hid="2")}, ["a", "b"])

    result = build_product(DomeggookItem.model_validate(raw), RULES, UPLOADED)

    assert isinstance(result, TransformRejected)
    assert result.codes == (RejectionCode.NO_SELLABLE_VARIANT,)
