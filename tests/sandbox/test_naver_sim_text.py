"""What the shopper reads, as the Naver simulator checks it (issue 8 §2), over real HTTP: names
that name something, unit symbols accepted, angle brackets refused, claim words refused in the name
and the detail text — and nothing refused that the client's transform would list."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from schemas.domeggook import DomeggookItem
from storebridge.sandbox.naver.validation import policy as sandbox_policy
from storebridge.transform import Transformed, build_product
from storebridge.transform.words import DEFAULT_WORD_RULES, apply_word_rules
from tests.paths import item_body
from tests.sandbox.support import NaverApi, image_bytes, problem_names, with_options
from tests.transform.support import DETAIL, REPRESENTATIVE, RULES

OP = "originProduct"
ETC = f"{OP}.detailAttribute.productInfoProvidedNotice.etc"
ROWS = f"{OP}.detailAttribute.optionInfo.optionCombinations"

#: Texts that look like claim words and texts that are: the sandbox may refuse only what the
#: client's default rules send to review (it may be more lenient, never stricter).
LOOKALIKES = (
    "특가 품절 임박",
    "3명 품절",
    "가 품",
    "가품아님",
    "(가 품)",
    "무 조 건 빠져요",
    "무조 건",
    "병 치 료",
    "질병 치료",
    "100 % 효과",
    "반드시\u00a0효과",
    "완\u200b치",
    "짝 퉁 아님",
    "치료 제품",
    "정품 텀블러",
)


async def create(naver: NaverApi, body: dict[str, Any]) -> tuple[int, Any]:
    status, answer, _ = await naver.call("POST", "/v2/products", json=body)
    return status, answer


def set_path(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    parent = changed
    *parents, key = path.split(".")
    for part in parents:
        parent = parent[part]
    parent[key] = value
    return changed


def test_every_claim_word_the_sandbox_refuses_is_one_the_client_sends_to_review() -> None:
    for word in sandbox_policy.CLAIM_WORDS:
        assert apply_word_rules(word, DEFAULT_WORD_RULES).blocked, word
    for text in LOOKALIKES:
        if sandbox_policy.claim_words_in(text):
            assert apply_word_rules(text, DEFAULT_WORD_RULES).blocked, text


def test_words_spelled_across_the_inside_of_words_are_not_claims() -> None:
    assert sandbox_policy.claim_words_in("특가 품절 임박 3명 품절 치료 제품") == []
    assert sandbox_policy.claim_words_in("가 품 · 무 조 건 · 완\u200b치") == ["가품", "완치", "무조건"]


@pytest.mark.parametrize("name", ["'()", "-- ~~ --", "!!!"])
async def test_a_name_without_a_letter_or_digit_is_refused(naver: NaverApi, name: str) -> None:
    status, answer = await create(naver, set_path(await naver.valid_payload(), f"{OP}.name", name))

    assert status == 400
    assert [(i["name"], i["type"]) for i in answer["invalidInputs"]] == [
        (f"{OP}.name", "Pattern.product.name")
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{OP}.name", "정품 아님 가품 텀블러"),
        (f"{OP}.name", "텀블러 무 조 건 1등"),
        (f"{OP}.detailContent", "<div><p>가&nbsp;품 아님</p></div>"),
        (f"{OP}.detailContent", "<p>무조<b>건</b> 빠져요</p>"),
        (f"{OP}.detailContent", "<p>의약&#54408; 수준</p>"),
    ],
)
async def test_claim_words_are_refused_in_what_the_shopper_reads(
    naver: NaverApi, path: str, value: str
) -> None:
    status, answer = await create(naver, set_path(await naver.valid_payload(), path, value))

    assert status == 400
    assert [(i["name"], i["type"]) for i in answer["invalidInputs"]] == [(path, "Prohibited.word")]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{OP}.name", "특가 품절 임박 3명 품절 텀블러"),
        (f"{OP}.detailContent", "<p>특가 <b>품</b>절 임박, 정품 보장</p>"),
        (f"{OP}.name", "냉장 0~4℃ 보관 생수 500㎖ 1.5㎏ 30㎝ 60°C 50%"),
        (f"{ETC}.modelName", "WB-60°C 30㎝ (XL)"),
        (f"{ETC}.itemName", "생수 500㎖"),
    ],
)
async def test_units_and_lookalike_words_are_accepted(naver: NaverApi, path: str, value: str) -> None:
    status, answer = await create(naver, set_path(await naver.valid_payload(), path, value))

    assert status == 200, answer


async def test_unit_symbols_are_accepted_in_option_values(naver: NaverApi) -> None:
    body = with_options(await naver.valid_payload(), [5, 5])
    rows = body[OP]["detailAttribute"]["optionInfo"]["optionCombinations"]
    rows[0]["optionName1"], rows[1]["optionName1"] = "0~4℃", "500㎖ (XL)"

    status, answer = await create(naver, body)

    assert status == 200, answer


async def test_an_angle_bracketed_size_in_the_model_name_is_refused(naver: NaverApi) -> None:
    status, answer = await create(
        naver, set_path(await naver.valid_payload(), f"{ETC}.modelName", "ABC-100<XL>")
    )

    assert status == 400
    assert problem_names(answer) == {f"{ETC}.modelName"}


async def test_the_transforms_payload_for_hostile_text_is_accepted(naver: NaverApi) -> None:
    # Given a Domeggook answer with units, angle-bracketed sizes, markup and lookalike words
    raw = item_body()
    raw["basis"]["title"] = "<b>냉장</b> 0~4℃ 생수 500㎖ <XL> 특가 품절 임박 &lt;신상&gt; ★"
    raw["detail"]["model"] = "WB-60°C<XL>"
    values = ["<S>", "0~4℃", "30㎝/40㎝"]
    raw["selectOpt"] = json.dumps(
        {
            "type": "combination",
            "set": [{"name": "<사이즈>", "opts": values}],
            "data": {
                f"{i:02d}": {"name": v, "dom": "1", "domPrice": "0", "qty": "5", "hid": "0"}
                for i, v in enumerate(values)
            },
        }
    )
    raw["desc"]["contents"]["item"] = f'<p>특가 <b>품</b>절, 60°C 세척 가능</p><img src="{DETAIL}">'
    uploaded = dict(
        zip((REPRESENTATIVE, DETAIL), await naver.upload(image_bytes(), image_bytes()), strict=True)
    )

    # When the transform builds the payload and it is sent to the simulator
    result = build_product(DomeggookItem.model_validate(raw), RULES, uploaded)
    assert isinstance(result, Transformed), result
    body = result.payload.to_wire()
    status, answer = await create(naver, body)

    # Then the simulator accepts it, with what the shopper should read intact
    assert status == 200, answer
    origin = body[OP]
    assert origin["name"] == "냉장 0~4℃ 생수 500㎖ (XL) 특가 품절 임박 (신상)"
    assert origin["detailAttribute"]["productInfoProvidedNotice"]["etc"]["modelName"] == "WB-60°C(XL)"
    rows = origin["detailAttribute"]["optionInfo"]["optionCombinations"]
    assert [r["optionName1"] for r in rows] == ["(S)", "0~4℃", "30㎝-40㎝"]
