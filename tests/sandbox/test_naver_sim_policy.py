"""Smart Store's listing policy as the Naver simulator enforces it (issue 8 §2), over real HTTP."""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import pytest

from storebridge.sandbox.naver.app import NaverSimConfig
from storebridge.sandbox.naver.categories import CATEGORIES_BY_ID, OPTION_PRICE
from storebridge.sandbox.naver.validation import policy as sandbox_policy
from storebridge.transform import policy as client_policy
from tests.sandbox.support import NaverApi, problem_names, with_options

OP = "originProduct"
ROWS = f"{OP}.detailAttribute.optionInfo.optionCombinations"
ETC = f"{OP}.detailAttribute.productInfoProvidedNotice.etc"


def test_the_sandbox_and_client_tables_agree() -> None:
    # The copies are deliberate (the sandbox never imports the transform); drift must be deliberate too.
    client_bands = [(b.min_sale_won, b.low, b.high) for b in client_policy.SURCHARGE_BANDS]
    assert client_bands == list(sandbox_policy.SURCHARGE_BANDS)
    assert client_policy.OPTION_PRICE_EXCEPTION_BAND == sandbox_policy.OPTION_PRICE_EXCEPTION_BAND
    assert client_policy.OPTION_VALUE_FORBIDDEN == sandbox_policy.OPTION_VALUE_FORBIDDEN
    assert client_policy.NAME_FORBIDDEN == sandbox_policy.NAME_FORBIDDEN
    assert client_policy.OPTION_VALUE_MAX_CHARS == sandbox_policy.OPTION_VALUE_MAX_CHARS
    assert client_policy.NOTICE_NAME_MAX_CHARS == sandbox_policy.NOTICE_NAME_MAX_CHARS
    for sale in (100, 1_999, 2_000, 9_999, 10_000, 123_450):
        assert client_policy.surcharge_range(sale) == sandbox_policy.allowed_surcharge(sale, False)
    exception = (Fraction(-1, 2), Fraction(1))
    assert client_policy.surcharge_range(50_000, exception) == sandbox_policy.allowed_surcharge(50_000, True)


def priced(payload: dict[str, Any], sale: int, surcharges: list[int]) -> dict[str, Any]:
    body = with_options(payload, [5] * len(surcharges), surcharges)
    body[OP]["salePrice"] = sale
    return body


async def create(naver: NaverApi, body: dict[str, Any]) -> tuple[int, Any]:
    status, answer, _ = await naver.call("POST", "/v2/products", json=body)
    return status, answer


@pytest.mark.parametrize(
    ("sale", "surcharges", "refused"),
    [
        (1_500, [0, -500], {f"{ROWS}[1].price"}),  # < 2,000: no negative surcharge
        (1_500, [0, 1_500], set()),  # … up to +100 %
        (5_000, [0, 3_000], set()),  # 2,000–9,999: +100 % allowed (was refused at ±50 %)
        (5_000, [0, -2_500], set()),
        (5_000, [0, -2_510], {f"{ROWS}[1].price"}),
        (12_000, [0, 6_000, -6_000], set()),
        (12_000, [0, 6_010], {f"{ROWS}[1].price"}),  # ≥ 10,000: ±50 %
    ],
)
async def test_option_surcharges_follow_the_price_bands(
    naver: NaverApi, sale: int, surcharges: list[int], refused: set[str]
) -> None:
    status, answer = await create(naver, priced(await naver.valid_payload(), sale, surcharges))
    assert (status == 200) == (not refused)
    if refused:
        assert problem_names(answer) == refused
        assert answer["invalidInputs"][0]["type"] == "Range.product.optionPrice"


async def test_a_combination_product_needs_a_usable_option_at_zero(naver: NaverApi) -> None:
    no_zero = priced(await naver.valid_payload(), 20_000, [1_000, 2_000])
    zero_disabled = priced(await naver.valid_payload(), 20_000, [0, 2_000])
    zero_disabled[OP]["detailAttribute"]["optionInfo"]["optionCombinations"][0]["usable"] = False

    statuses = [await create(naver, body) for body in (no_zero, zero_disabled)]

    for status, answer in statuses:
        assert status == 400
        assert [i["type"] for i in answer["invalidInputs"]] == ["Required.product.optionPrice.zero"]


async def test_an_option_price_exception_leaf_allows_double_the_price_above_10000(naver: NaverApi) -> None:
    leaf = next((c.id for c in CATEGORIES_BY_ID.values() if c.last and OPTION_PRICE in c.exceptional), None)
    assert leaf is not None, "the sandbox tree needs an OPTION_PRICE leaf"
    body = priced(await naver.valid_payload(), 12_000, [0, 12_000])
    body[OP]["leafCategoryId"] = leaf

    status, answer = await create(naver, body)

    assert status == 200, answer


@pytest.mark.parametrize("value", ['12" 블랙*특가', "S/M", "a\\b", "대형?", "<신상>"])
async def test_forbidden_characters_in_option_values_are_refused(naver: NaverApi, value: str) -> None:
    body = with_options(await naver.valid_payload(), [5, 5])
    body[OP]["detailAttribute"]["optionInfo"]["optionCombinations"][1]["optionName1"] = value

    status, answer = await create(naver, body)

    assert status == 400
    assert problem_names(answer) == {f"{ROWS}[1].optionName1"}


async def test_option_values_must_be_shorter_than_25_characters(naver: NaverApi) -> None:
    body = with_options(await naver.valid_payload(), [5, 5])
    rows = body[OP]["detailAttribute"]["optionInfo"]["optionCombinations"]
    rows[0]["optionName1"], rows[1]["optionName1"] = "가" * 24, "나" * 25

    status, answer = await create(naver, body)

    assert status == 400
    assert problem_names(answer) == {f"{ROWS}[1].optionName1"}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{ETC}.modelName", 'Bottle 32oz *Straw "Lid"'),
        (f"{ETC}.modelName", "m" * 50),
        (f"{ETC}.itemName", "i" * 50),
        (f"{ETC}.manufacturer", "ACME <China>"),
        (f"{OP}.name", '스텐 텀블러 *특가* 12" <신상>?'),
    ],
)
async def test_names_and_notice_fields_refuse_forbidden_characters_and_boundary_lengths(
    naver: NaverApi, path: str, value: str
) -> None:
    body = copy.deepcopy(await naver.valid_payload())
    parent = body
    *parents, key = path.split(".")
    for part in parents:
        parent = parent[part]
    parent[key] = value

    status, answer = await create(naver, body)

    assert status == 400
    assert problem_names(answer) == {path}


async def test_a_deleted_product_stays_in_search_as_delete(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload(seller_code="SB-GONE")))["originProductNo"]
    deleted, _, _ = await naver.call("DELETE", f"/v2/products/origin-products/{number}")
    read, _, _ = await naver.call("GET", f"/v2/products/origin-products/{number}")
    query = {"searchKeywordType": "SELLER_CODE", "sellerManagementCode": "SB-GONE"}
    _, found, _ = await naver.call("POST", "/v1/products/search", json=query)

    assert (deleted, read) == (200, 404)
    assert [c["channelProducts"][0]["statusType"] for c in found["contents"]] == ["DELETE"]
    assert (await naver.stats())["duplicates"] == 0


async def test_a_prohibited_product_is_shown_as_such_by_search(naver: NaverApi) -> None:
    number = (await naver.create(await naver.valid_payload(seller_code="SB-BAD")))["originProductNo"]
    url = f"{naver.base_url}/_sandbox/products/{number}/status"
    async with naver.session.post(url, json={"statusType": "PROHIBITION"}) as response:
        assert response.status == 200
    query = {"searchKeywordType": "SELLER_CODE", "sellerManagementCode": "SB-BAD"}
    _, found, _ = await naver.call("POST", "/v1/products/search", json=query)

    assert [c["channelProducts"][0]["statusType"] for c in found["contents"]] == ["PROHIBITION"]


def test_search_lags_behind_writes_by_default() -> None:
    assert NaverSimConfig().search_lag_s > 0
