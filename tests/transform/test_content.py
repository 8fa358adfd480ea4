"""Names, banned words, HTML sanitising and seller tags."""

from __future__ import annotations

import dataclasses
import re

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.transform.content import (
    build_detail,
    clean_name,
    detail_image_sources,
    sanitise_html,
    seller_tags,
)
from storebridge.transform.result import AdjustmentCode, RejectionCode
from storebridge.transform.rules import TransformRules
from storebridge.transform.text import clean_text, truncate
from storebridge.transform.words import WordRule, apply_word_rules
from tests.paths import item_body

RULES = TransformRules(category_map={}, as_phone="02-1234-5678")
NAVER_URL = "https://shop-phinf.pstatic.net/20250416_1/1_JPEG/1.jpg"


def titled(title: str) -> DomeggookItem:
    raw = item_body()
    raw["basis"]["title"] = title
    return DomeggookItem.model_validate(raw)


def with_detail(html: str, usable: str = "true") -> DomeggookItem:
    raw = item_body()
    raw["desc"] = {"license": {"usable": usable}, "contents": {"item": html}}
    return DomeggookItem.model_validate(raw)


# --------------------------------------------------------------------------- names


def test_clean_name_decodes_entities_and_strips_tags_emoji_and_symbols() -> None:
    outcome = clean_name(titled("  &lt;특가&gt; <b>스텐</b> 텀블러 &amp; 뚜껑 ★🎁👍🏻  "), RULES)

    # "&lt;특가&gt;" is text: its brackets become "()" and the word stays (issue 8: never delete words).
    assert outcome.name == "(특가) 스텐 텀블러 & 뚜껑"
    assert [n.code for n in outcome.adjustments] == [AdjustmentCode.NAME_CHARS_REMOVED]


def test_a_300_character_name_is_cut_to_100_at_a_word_boundary() -> None:
    outcome = clean_name(titled(" ".join(["스텐텀블러"] * 50)), RULES)

    assert outcome.name is not None
    assert len(outcome.name) <= 100
    assert not outcome.name.endswith(" ")
    assert outcome.name.endswith("스텐텀블러")
    assert AdjustmentCode.NAME_TRUNCATED in [n.code for n in outcome.adjustments]


def test_a_name_without_spaces_is_cut_hard_at_the_limit() -> None:
    assert truncate("가" * 300, 100) == "가" * 100


def test_a_name_of_only_emoji_is_empty() -> None:
    outcome = clean_name(titled("🎁🎉✨"), RULES)

    assert [r.code for r in outcome.rejections] == [RejectionCode.NAME_EMPTY]
    assert outcome.rejections[0].message.startswith("item 46072413: the name is empty after cleaning")


def test_a_blocked_word_in_the_name_is_a_rejection_naming_the_word() -> None:
    outcome = clean_name(titled("관절 완치 보호대"), RULES)

    assert outcome.name is None
    assert outcome.rejections[0].code == RejectionCode.BANNED_WORD
    assert (
        outcome.rejections[0].message == "item 46072413: banned word(s) 완치 in the name '관절 완치 보호대'"
    )


def test_blocked_words_match_regardless_of_spacing() -> None:
    assert clean_name(titled("무릎 병치료 밴드"), RULES).rejections[0].code == RejectionCode.BANNED_WORD


def test_replace_words_rewrite_the_name_and_are_recorded() -> None:
    outcome = clean_name(titled("최저가 명품 스타일 가방"), RULES)

    assert outcome.name == "합리적 가격 고급 스타일 가방"
    assert [n.code for n in outcome.adjustments] == [
        AdjustmentCode.WORD_REPLACED,
        AdjustmentCode.WORD_REPLACED,
    ]


def test_warn_words_pass_with_a_warning() -> None:
    outcome = clean_name(titled("정품 텀블러"), RULES)

    assert outcome.name == "정품 텀블러"
    assert [n.code for n in outcome.adjustments] == [AdjustmentCode.WORD_WARNING]


def test_a_replacement_that_introduces_a_blocked_word_is_still_blocked() -> None:
    rules = dataclasses.replace(
        RULES, word_rules=(WordRule("특효", "replace", "완치"), WordRule("완치", "block"))
    )

    assert clean_name(titled("특효 크림"), rules).rejections[0].code == RejectionCode.BANNED_WORD


def test_regex_word_rules_and_literal_backslashes_in_replacements() -> None:
    rules = (WordRule(r"\d+% 할인", "replace", r"할인\1", regex=True),)

    assert apply_word_rules("오늘 30% 할인", rules).text == r"오늘 할인\1"


def test_an_invalid_regex_rule_fails_at_configuration_time() -> None:
    with pytest.raises(re.error):
        WordRule("(abc", "block", regex=True)


def test_clean_text_counts_removed_characters() -> None:
    assert clean_text("a\u200bb\x00c") == ("abc", 2)


# --------------------------------------------------------------------------- HTML


def test_script_style_iframe_and_their_content_are_removed() -> None:
    html = sanitise_html(
        "<p>ok</p><script>alert(1)</script><style>p{}</style><iframe src='https://x'>f</iframe>"
    ).html

    assert html == "<p>ok</p>"


def test_event_handlers_and_javascript_urls_are_removed_and_links_unwrapped() -> None:
    html = sanitise_html(
        '<p onclick="x()" onmouseover="y()">t</p><a href="javascript:alert(1)">링크</a>'
    ).html

    assert html == "<p>t</p>링크"


def test_only_harmless_style_properties_survive() -> None:
    html = sanitise_html('<p style="text-align:center;position:fixed;z-index:99">t</p>').html

    assert html == '<p style="text-align:center">t</p>'


def test_image_urls_are_html_decoded_once_or_twice() -> None:
    found = sanitise_html(
        '<img src="https://s.example/a.jpg?x=1&amp;y=2"><img src="https://s.example/b.jpg?x=1&amp;amp;y=2">'
    )

    assert found.image_urls == ("https://s.example/a.jpg?x=1&y=2", "https://s.example/b.jpg?x=1&y=2")


def test_protocol_relative_images_become_https_and_data_urls_are_dropped() -> None:
    found = sanitise_html(
        '<img src="//cdn.example/a.jpg"><img src="data:image/png;base64,AAAA"><img src="/rel.jpg">'
    )

    assert found.image_urls == ("https://cdn.example/a.jpg",)
    assert found.html == '<img src="https://cdn.example/a.jpg">'


def test_mapped_images_are_rewritten_and_unmapped_ones_dropped() -> None:
    raw = (
        '<div><img src="https://s.example/a.jpg?x=1&amp;y=2" alt="a">'
        '<img src="https://s.example/b.jpg" alt="b"></div>'
    )

    found = sanitise_html(raw, {"https://s.example/a.jpg?x=1&y=2": NAVER_URL})

    assert found.html == f'<div><img src="{NAVER_URL}" alt="a"></div>'
    assert found.dropped_urls == ("https://s.example/b.jpg",)


def test_alt_text_cannot_smuggle_markup() -> None:
    found = sanitise_html(
        '<img alt="x><script>alert(1)</script>" src="https://s.example/a.jpg">',
        {"https://s.example/a.jpg": NAVER_URL},
    )

    assert found.html == f'<img alt="xscriptalert(1)/script" src="{NAVER_URL}">'


def test_licensed_detail_is_used_with_rehosted_images() -> None:
    item = with_detail('<center><img src="https://s.example/a.jpg"></center>')

    outcome = build_detail(item, "텀블러", RULES, {"https://s.example/a.jpg": NAVER_URL}, None)

    assert outcome.html == f'<center><img src="{NAVER_URL}"></center>'


def test_unlicensed_detail_is_replaced_by_a_generated_description() -> None:
    item = with_detail('<img src="https://s.example/a.jpg">', usable="false")

    outcome = build_detail(item, "텀블러 <특가>", RULES, {}, NAVER_URL)

    assert outcome.html is not None
    assert "s.example" not in outcome.html
    assert "텀블러 &lt;특가&gt;" in outcome.html
    assert NAVER_URL in outcome.html
    assert "7x7x22cm" in outcome.html
    assert [n.code for n in outcome.adjustments] == [AdjustmentCode.DETAIL_GENERATED]
    assert detail_image_sources(item) == ()


def test_licensed_detail_that_is_empty_after_sanitising_is_replaced() -> None:
    item = with_detail("<script>document.write('<img src=x>')</script><style>*{}</style>")

    outcome = build_detail(item, "텀블러", RULES, {}, None)

    assert outcome.html is not None
    assert "<h3>텀블러</h3>" in outcome.html
    assert "licensed detail is empty" in outcome.adjustments[-1].message


def test_detail_whose_only_images_were_not_rehosted_is_replaced() -> None:
    outcome = build_detail(with_detail('<img src="https://s.example/a.jpg">'), "텀블러", RULES, {}, None)

    assert [n.code for n in outcome.adjustments] == [
        AdjustmentCode.DETAIL_IMAGE_DROPPED,
        AdjustmentCode.DETAIL_GENERATED,
    ]


def test_a_blocked_word_in_visible_detail_text_is_a_rejection() -> None:
    outcome = build_detail(with_detail("<p onclick='x()'>처방전 없이 구매</p>"), "텀블러", RULES, {}, None)

    assert outcome.html is None
    assert outcome.rejections[0].code == RejectionCode.BANNED_WORD
    assert outcome.rejections[0].message == "item 46072413: banned word(s) 처방전 in the detail page text"


def test_a_blocked_word_hidden_in_a_removed_script_does_not_block() -> None:
    outcome = build_detail(with_detail("<script>// 완치</script><p>텀블러</p>"), "텀블러", RULES, {}, None)

    assert outcome.html == "<p>텀블러</p>"


def test_detail_image_sources_lists_decoded_urls_in_order_without_repeats() -> None:
    item = with_detail(
        '<img src="https://s.example/b.jpg?a=1&amp;b=2"><img src="https://s.example/a.jpg"><img src="https://s.example/a.jpg">'
    )

    assert detail_image_sources(item) == ("https://s.example/b.jpg?a=1&b=2", "https://s.example/a.jpg")


# --------------------------------------------------------------------------- tags


def test_seller_tags_drop_spaces_symbols_long_and_banned_keywords() -> None:
    raw = item_body()
    raw["basis"]["keywords"] = {
        "kw": ["보온 텀블러", "#스텐컵!", "아주아주아주긴키워드입니다", "짝퉁텀블러", "보온텀블러"]
    }

    tags, notes = seller_tags(DomeggookItem.model_validate(raw), RULES)

    assert tags == ("보온텀블러", "스텐컵")
    assert [n.code for n in notes] == [AdjustmentCode.TAG_DROPPED]


def test_at_most_ten_seller_tags_are_kept() -> None:
    raw = item_body()
    raw["basis"]["keywords"] = {"kw": [f"태그{n}" for n in range(15)]}

    tags, _ = seller_tags(DomeggookItem.model_validate(raw), RULES)

    assert len(tags) == 10
