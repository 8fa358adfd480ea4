"""What the shopper reads in option values, group names and notice values (issue 8 §2): banned words
judged there too, and text with no letter or digit never sent as an option or a notice value."""

from __future__ import annotations

import dataclasses
import json

import pytest

from schemas.domeggook import DomeggookItem
from schemas.naver import WearNotice
from storebridge.transform import RejectionCode, Transformed, TransformRejected, WordRule, build_product
from storebridge.transform.notice import SEE_DETAIL, build_notice, build_origin
from storebridge.transform.options import OptionsOutcome, build_options
from storebridge.transform.result import AdjustmentCode, Rejection
from storebridge.transform.rules import TransformRules
from storebridge.transform.words import DEFAULT_WORD_RULES
from tests.paths import item_body
from tests.transform.support import RULES, UPLOADED


def row(name: str, price: int = 0) -> dict[str, str]:
    return {"name": name, "dom": "1", "domPrice": str(price), "qty": "5", "hid": "0"}


def with_options(axes: list[tuple[str, list[str]]], data: dict[str, dict[str, str]]) -> DomeggookItem:
    raw = item_body()
    raw["selectOpt"] = json.dumps(
        {"type": "combination", "set": [{"name": n, "opts": o} for n, o in axes], "data": data}
    )
    return DomeggookItem.model_validate(raw)


def one_axis(values: list[str], group: str = "사이즈") -> DomeggookItem:
    return with_options([(group, values)], {f"{i:02d}": row(v) for i, v in enumerate(values)})


def build(item: DomeggookItem, rules: TransformRules = RULES) -> OptionsOutcome:
    return build_options(item, rules, cost_won=9900, sale_price_won=11880, seller_code="DG-dome-1")


def values(outcome: OptionsOutcome) -> list[str]:
    assert outcome.option_info is not None, outcome.rejections
    return [row.option_name1 for row in outcome.option_info.option_combinations]


def group1(outcome: OptionsOutcome) -> str:
    assert outcome.option_info is not None, outcome.rejections
    return outcome.option_info.option_combination_group_names.option_group_name1


def only(outcome: OptionsOutcome, code: RejectionCode) -> Rejection:
    assert [r.code for r in outcome.rejections] == [code], outcome.rejections
    return outcome.rejections[0]


# --------------------------------------------------------------------------- banned words in options


def test_a_banned_word_in_an_option_value_keeps_the_product_from_naver() -> None:
    # The finding: "의약품급" went out as an option value.
    raw = item_body()
    raw["selectOpt"] = json.dumps(
        {
            "type": "combination",
            "set": [{"name": "등급", "opts": ["일반", "의약품급"]}],
            "data": {"00": row("일반"), "01": row("의약품급")},
        }
    )

    result = build_product(DomeggookItem.model_validate(raw), RULES, UPLOADED)

    assert isinstance(result, TransformRejected)
    assert result.codes == (RejectionCode.BANNED_WORD,)


@pytest.mark.parametrize("value", ["의약품급", "의 약 품", "의\u200b약품 등급"])
def test_a_banned_word_in_an_option_value_goes_to_review_naming_the_value_group_and_word(value: str) -> None:
    rejection = only(build(one_axis(["일반", value], group="등급")), RejectionCode.BANNED_WORD)

    assert rejection.message.startswith("item 46072413: banned word(s) 의약품 in the option value ")
    assert "of group '등급'" in rejection.message
    assert rejection.field == "selectOpt.data.01"


def test_a_value_shared_by_many_rows_is_reported_once() -> None:
    item = with_options(
        [("등급", ["의약품급"]), ("사이즈", ["S", "M", "L"])],
        {f"00_{i:02d}": row(f"의약품급/{size}") for i, size in enumerate("SML")},
    )

    assert only(build(item), RejectionCode.BANNED_WORD).field == "selectOpt.data.00_00"


def test_a_banned_word_in_an_option_group_name_goes_to_review_naming_the_group() -> None:
    rejection = only(build(one_axis(["S", "M"], group="완치 사이즈")), RejectionCode.BANNED_WORD)

    assert rejection.field == "selectOpt.set.0.name"
    assert rejection.message == "item 46072413: banned word(s) 완치 in the option group name '완치 사이즈'"


def test_an_authenticity_claim_in_an_option_value_is_reviewed_not_rewritten() -> None:
    rules = dataclasses.replace(
        RULES, word_rules=(WordRule("가품", "replace", "제품", category="trademark"),)
    )

    rejection = only(build(one_axis(["가품 아님", "블랙"]), rules), RejectionCode.BANNED_WORD)

    assert "가품 (trademark claim: not rewritten)" in rejection.message


def test_an_exaggeration_in_an_option_value_and_group_name_is_replaced_and_recorded() -> None:
    outcome = build(one_axis(["명품 블랙", "화이트"], group="최저가 색상"))

    assert values(outcome) == ["고급 블랙", "화이트"]
    assert group1(outcome) == "합리적 가격 색상"
    replaced = [(a.field, a.message) for a in outcome.adjustments if a.code == AdjustmentCode.WORD_REPLACED]
    assert replaced == [
        ("selectOpt.set.0.name", "item 46072413: replaced '최저가'"),
        ("selectOpt.data.00", "item 46072413: replaced '명품'"),
    ]


def test_a_warned_word_in_an_option_value_is_kept_and_recorded() -> None:
    outcome = build(one_axis(["정품 블랙", "화이트"]))

    assert values(outcome) == ["정품 블랙", "화이트"]
    warned = [a.field for a in outcome.adjustments if a.code == AdjustmentCode.WORD_WARNING]
    assert warned == ["selectOpt.data.00"]


def test_a_replacement_that_lengthens_a_value_is_cut_below_25_characters() -> None:
    outcome = build(one_axis(["최저가 보장 스테인리스 진공 텀블러 블랙", "화이트"]))

    assert values(outcome) == ["합리적 가격 보장 스테인리스 진공 텀블러", "화이트"]
    assert AdjustmentCode.OPTION_NAME_TRUNCATED in [a.code for a in outcome.adjustments]


def test_a_spam_word_dropped_from_a_value_leaving_nothing_goes_to_review() -> None:
    rules = dataclasses.replace(RULES, word_rules=(*DEFAULT_WORD_RULES, WordRule("무료배송", "replace")))

    rejection = only(build(one_axis(["무료배송", "블랙"]), rules), RejectionCode.NAME_EMPTY)

    assert "option value '무료배송' of group '사이즈' became ''" in rejection.message


# --------------------------------------------------------------------------- replacement never merges


def test_two_values_a_replacement_makes_equal_go_to_review_instead_of_merging() -> None:
    rejection = only(
        build(one_axis(["명품 블랙", "고급 블랙"], group="색상")), RejectionCode.OPTION_DUPLICATE
    )

    assert rejection.message == (
        "item 46072413: option values '명품 블랙' and '고급 블랙' of group '색상' both read '고급 블랙' "
        "after replacing banned word(s) 명품: one listed option would stand for two supplier variants"
    )


def test_values_merged_by_a_replacement_are_caught_even_when_no_two_rows_collide() -> None:
    # (명품 블랙, S) and (고급 블랙, M) stay distinct rows, but one "고급 블랙" would list both variants.
    item = with_options(
        [("색상", ["명품 블랙", "고급 블랙"]), ("사이즈", ["S", "M"])],
        {"00_00": row("명품 블랙/S"), "01_01": row("고급 블랙/M")},
    )

    assert only(build(item), RejectionCode.OPTION_DUPLICATE).field == "selectOpt.set.0.opts"


def test_the_same_replaced_value_on_several_rows_is_not_a_merge() -> None:
    item = with_options(
        [("색상", ["명품 블랙"]), ("사이즈", ["S", "M"])],
        {"00_00": row("명품 블랙/S"), "00_01": row("명품 블랙/M")},
    )

    outcome = build(item)

    assert outcome.option_info is not None, outcome.rejections
    assert {r.option_name1 for r in outcome.option_info.option_combinations} == {"고급 블랙"}


# --------------------------------------------------------------------------- nothing listable


@pytest.mark.parametrize(
    ("value", "became"),
    [("***", "is empty after cleaning"), ('"<>"', "became \"'()'\", with no letter or digit")],
)
def test_an_option_value_with_no_letter_or_digit_left_says_so(value: str, became: str) -> None:
    rejection = only(build(one_axis(["S", value])), RejectionCode.NAME_EMPTY)

    assert rejection.message == (
        f"item 46072413: option 01 value {value!r} {became}: nothing listable left after replacing "
        "forbidden characters and removing symbols"
    )
    assert rejection.field == "selectOpt.data.01"


def test_an_unreadable_set_value_still_falls_back_to_the_rows_own_name() -> None:
    item = with_options([("사이즈", ["S", '""'])], {"00": row("S"), "01": row("M")})

    assert values(build(item)) == ["S", "M"]


def test_a_group_name_with_no_letter_or_digit_becomes_a_numbered_group() -> None:
    assert group1(build(one_axis(["S", "M"], group='"?"'))) == "옵션1"


# --------------------------------------------------------------------------- notice values


def notice_item(rows: list[tuple[str, str]], **detail: str) -> DomeggookItem:
    raw = item_body()
    raw["detail"]["infoDuty"]["item"] = [{"type": "item", "name": n, "desc": d} for n, d in rows]
    raw["detail"].update(detail)
    return DomeggookItem.model_validate(raw)


def test_notice_values_with_no_letter_or_digit_are_never_sent_as_quotes() -> None:
    item = notice_item([("품명 및 모델명", '텀블러 / ""')], model='""', manufacturer='"*"')

    notice = build_notice(item, "스텐 텀블러", RULES)

    assert not isinstance(notice, Rejection)
    assert notice.etc is not None
    assert (notice.etc.model_name, notice.etc.manufacturer) == (SEE_DETAIL, SEE_DETAIL)


def test_an_item_name_of_symbols_falls_back_to_the_product_name() -> None:
    notice = build_notice(notice_item([("품명 및 모델명", "*** / TB-500")]), "스텐 텀블러", RULES)

    assert not isinstance(notice, Rejection)
    assert notice.etc is not None
    assert (notice.etc.item_name, notice.etc.model_name) == ("스텐 텀블러", "TB-500")


WEAR_ROWS = [("제품소재", "면 100%"), ("색상", "블랙"), ("치수", "FREE"), ("세탁방법", "손세탁")]


def test_a_required_notice_row_of_symbols_counts_as_missing_and_is_named() -> None:
    rows = [(name, "***" if name == "색상" else value) for name, value in WEAR_ROWS]

    notice = build_notice(notice_item(rows), "티셔츠", RULES, ("WEAR",))

    assert isinstance(notice, Rejection)
    assert notice.code == RejectionCode.NOTICE_MISSING
    assert "WEAR needs rows 색상 (given as '***', with no letter or digit)" in notice.message


def test_an_optional_notice_row_of_symbols_reads_see_the_detail_page() -> None:
    notice = build_notice(notice_item([*WEAR_ROWS, ("제조연월", '"""')]), "티셔츠", RULES, ("WEAR",))

    assert not isinstance(notice, Rejection)
    assert isinstance(notice.wear, WearNotice)
    assert notice.wear.pack_date_text == SEE_DETAIL


def test_a_country_of_symbols_counts_as_missing_and_the_notice_line_is_used() -> None:
    item = notice_item([("제조국", "중국")], country="아시아_***")

    assert build_origin(item, RULES) == build_origin(notice_item([], country="아시아_중국"), RULES)


# --------------------------------------------------------------------------- the name fallback


def test_the_name_used_after_a_rejected_title_is_what_the_shopper_reads() -> None:
    # The rejected title's stand-in feeds the generated description: with its markup read as text,
    # "무조<i>건</i>" became "무조(i)건(/i)" there and the banned word went unseen.
    raw = item_body()
    raw["basis"]["title"] = "무조<i>건</i> 텀블러"
    raw["desc"]["license"]["usable"] = "false"

    result = build_product(DomeggookItem.model_validate(raw), RULES, UPLOADED)

    assert not isinstance(result, Transformed)
    assert [(r.code, r.field) for r in result.rejections] == [
        (RejectionCode.BANNED_WORD, "basis.title"),
        (RejectionCode.BANNED_WORD, "desc.contents.item"),
    ]
