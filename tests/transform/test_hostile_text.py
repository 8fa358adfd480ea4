"""Hostile supplier text through the whole transform (issue 8 §2): what the shopper reads survives,
what Naver refuses never goes out, and no rewrite changes what a sentence says."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform import RejectionCode, Transformed, TransformRejected, WordRule, build_product
from storebridge.transform.content import build_detail, clean_name
from storebridge.transform.policy import NAME_FORBIDDEN
from storebridge.transform.text import clean_text
from storebridge.transform.words import DEFAULT_WORD_RULES, apply_word_rules
from tests.paths import item_body
from tests.transform.support import RULES, UPLOADED

ETC = ("detailAttribute", "productInfoProvidedNotice", "etc")


def build(raw: dict[str, Any]) -> Transformed | TransformRejected:
    return build_product(DomeggookItem.model_validate(raw), RULES, UPLOADED)


def listed(raw: dict[str, Any]) -> dict[str, Any]:
    result = build(raw)
    assert isinstance(result, Transformed), result
    origin: dict[str, Any] = result.payload.to_wire()["originProduct"]
    return origin


def titled(title: str) -> dict[str, Any]:
    raw = item_body()
    raw["basis"]["title"] = title
    return raw


def model_name(raw: dict[str, Any]) -> str:
    etc: dict[str, Any] = listed(raw)["detailAttribute"]["productInfoProvidedNotice"]["etc"]
    return str(etc["modelName"])


def with_option_values(*values: str) -> dict[str, Any]:
    raw = item_body()
    data = {
        f"{i:02d}": {"name": v, "dom": "1", "domPrice": "0", "qty": "5", "hid": "0"}
        for i, v in enumerate(values)
    }
    raw["selectOpt"] = json.dumps(
        {"type": "combination", "set": [{"name": "사이즈", "opts": list(values)}], "data": data}
    )
    return raw


def option_values(raw: dict[str, Any]) -> list[str]:
    rows = listed(raw)["detailAttribute"]["optionInfo"]["optionCombinations"]
    return [str(row["optionName1"]) for row in rows]


# --------------------------------------------------------------------------- 1. nothing listable


@pytest.mark.parametrize("title", ['\\*?"<>', '"""', "** ?? **", "<>", "!!! ~~~", "&lt;&gt; &quot;*&quot;"])
def test_a_title_with_no_letter_or_digit_left_goes_to_review_saying_so(title: str) -> None:
    result = build(titled(title))

    assert isinstance(result, TransformRejected)
    assert RejectionCode.NAME_EMPTY in result.codes
    message = next(r.message for r in result.rejections if r.code == RejectionCode.NAME_EMPTY)
    assert message.startswith("item 46072413: ")
    assert "nothing listable left after replacing forbidden characters" in message


def test_a_title_with_one_word_among_forbidden_characters_is_listed() -> None:
    assert listed(titled('*** "텀블러" ???'))["name"] == "'텀블러'"


# --------------------------------------------------------------------------- 2. unit symbols


def test_unit_symbols_survive_cleaning_while_emoji_and_decorative_symbols_go() -> None:
    text, removed = clean_text("0~4℃ 보관 ★ 60°C 물 🎁 50% 500㎖ 1.5㎏ 30㎝ 2㎡ 98.6℉ 4˚C")

    assert text == "0~4℃ 보관 60°C 물 50% 500㎖ 1.5㎏ 30㎝ 2㎡ 98.6℉ 4˚C"
    assert removed == 2


def test_unit_symbols_reach_the_name_the_model_name_and_the_option_values() -> None:
    raw = with_option_values("0~4℃", "500㎖")
    raw["basis"]["title"] = "냉장 보관 0~4℃ 생수 500㎖ 1㎏"
    raw["detail"]["model"] = "WB-60°C 30㎝"

    origin = listed(raw)

    assert origin["name"] == "냉장 보관 0~4℃ 생수 500㎖ 1㎏"
    assert origin["detailAttribute"]["productInfoProvidedNotice"]["etc"]["modelName"] == "WB-60°C 30㎝"
    assert option_values(raw) == ["0~4℃", "500㎖"]


# --------------------------------------------------------------------------- 3. angle brackets


def test_an_angle_bracketed_size_in_the_model_name_is_kept_in_round_brackets() -> None:
    raw = item_body()
    raw["detail"]["model"] = "ABC-100<XL>"

    assert model_name(raw) == "ABC-100(XL)"


def test_angle_bracketed_option_values_are_kept_in_round_brackets() -> None:
    # "<S>" and "<B>" are HTML tag names too; in an option value they are sizes, never markup.
    assert option_values(with_option_values("<XL>", "<S>", "&lt;B&gt;형")) == ["(XL)", "(S)", "(B)형"]


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("반팔 티셔츠 <XL>", "반팔 티셔츠 (XL)"),
        ("반팔 티셔츠 <S> 사이즈", "반팔 티셔츠 (S) 사이즈"),
        ("<b>굵은</b> 텀블러<br>500ml", "굵은 텀블러 500ml"),
        ('<font color="red">특가</font> 텀블러 <S>', "특가 텀블러 (S)"),
        ("<!-- 메모 --> 텀블러 <신상>", "텀블러 (신상)"),
    ],
)
def test_only_real_markup_is_stripped_from_a_title(title: str, name: str) -> None:
    outcome = clean_name(DomeggookItem.model_validate(titled(title)), RULES)

    assert outcome.name == name
    assert not set(name) & NAME_FORBIDDEN


# --------------------------------------------------------------------------- 4. banned words


@pytest.mark.parametrize("title", ["가품 아님 텀블러", "가품 시 200% 보상 텀블러", "짝퉁 아님 텀블러"])
def test_an_authenticity_claim_in_the_name_goes_to_review_instead_of_being_rewritten(title: str) -> None:
    outcome = clean_name(DomeggookItem.model_validate(titled(title)), RULES)

    assert outcome.name is None
    assert [r.code for r in outcome.rejections] == [RejectionCode.BANNED_WORD]


def test_an_authenticity_claim_in_the_detail_goes_to_review_instead_of_being_rewritten() -> None:
    raw = item_body()
    raw["desc"]["contents"]["item"] = "<p>가품 아님, 정식 수입 제품입니다.</p>"

    outcome = build_detail(DomeggookItem.model_validate(raw), "텀블러", RULES, {}, None)

    assert outcome.html is None
    assert [r.code for r in outcome.rejections] == [RejectionCode.BANNED_WORD]


def test_an_operators_replace_rule_for_a_trademark_claim_is_not_applied_but_reviewed() -> None:
    rules = (WordRule("가품", "replace", replacement="제품", category="trademark"),)

    outcome = apply_word_rules("가품 아님", rules)

    assert outcome.text == "가품 아님"
    assert outcome.replaced == ()
    assert outcome.blocked == ("가품 (trademark claim: not rewritten)",)


def test_a_spam_word_rule_drops_the_word_and_keeps_the_rest() -> None:
    rules = (WordRule("무료배송", "replace", replacement="", category="spam"),)

    assert apply_word_rules("무료배송 스텐 텀블러", rules).text == " 스텐 텀블러"


@pytest.mark.parametrize("title", ["특가 품절 임박 텀블러", "명 품목 정리", "3명 품절"])
def test_a_banned_word_spelled_across_two_words_is_not_matched(title: str) -> None:
    # "특가 품절" reads "가 품" across two words; the old rule rewrote it to "특제품절".
    outcome = clean_name(DomeggookItem.model_validate(titled(title)), RULES)

    assert outcome.name == title
    assert outcome.rejections == ()


@pytest.mark.parametrize(
    "text", ["무 조 건 빠져요", "(무 조 건)", "병 치 료 밴드", "질병 치료 밴드", "완\u200b치"]
)
def test_a_banned_word_dodged_with_spacing_is_still_matched(text: str) -> None:
    assert apply_word_rules(text, DEFAULT_WORD_RULES).blocked
