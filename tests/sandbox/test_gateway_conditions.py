"""The simulators' gateway conditions (fidelity-evidence #14, #20) and the server-filled GET (#13, #28).

Quota, IP allow-list and maintenance answers of the Naver gateway, the Domeggook block answered with
HTTP 200, all switched through ``/_sandbox/faults``; and a product GET that carries the defaults
Naver fills in, so GET → merge → PUT is exercised on a realistic document.
"""

from __future__ import annotations

import pytest

from storebridge.sandbox.faults import Faults
from tests.sandbox.support import NaverApi, with_options

ORIGIN = "/v2/products/origin-products"


def test_every_gateway_fault_names_its_evidence() -> None:
    evidence = Faults.evidence()
    for name in ("quota_limit_rate", "ip_not_allowed_rate", "maintenance_rate", "block_http_status"):
        assert evidence[name].split()[0] in ("DOC", "OBSERVED", "INFERRED:")


@pytest.mark.parametrize(
    "changes",
    [{"quota_period": "WEEKS"}, {"block_http_status": 500}, {"ip_not_allowed_rate": 2}, {"quota_period": 1}],
)
def test_bad_gateway_fault_settings_are_refused_and_leave_the_old_ones(changes: dict[str, object]) -> None:
    faults = Faults()
    with pytest.raises(ValueError, match=next(iter(changes))):
        faults.update(changes)
    assert faults.as_dict() == Faults().as_dict()


async def test_quota_fault_answers_429_quota_limit_with_the_quota_headers(naver: NaverApi) -> None:
    await naver.token()
    naver.faults.update({"quota_limit_rate": 1.0, "quota_period": "hours"})
    status, body, headers = await naver.call("GET", "/v1/categories")
    assert status == 429
    assert body["code"] == "GW.QUOTA_LIMIT"
    assert body["message"] == "할당된 시간당 요청량을 초과하였습니다."
    assert body["traceId"] == headers["GNCP-GW-Trace-ID"]
    assert headers["GNCP-GW-Quota-Period"] == "HOURS"
    assert headers["GNCP-GW-Quota-Limit"] == "1"
    assert headers["GNCP-GW-Quota-Remaining"] == "0"
    assert (await naver.stats())["faults_injected"]["quota_limited"] == 1


@pytest.mark.parametrize(
    ("setting", "status", "code"),
    [("ip_not_allowed_rate", 403, "GW.IP_NOT_ALLOWED"), ("maintenance_rate", 503, "GW.BLOCK.02")],
)
async def test_ip_and_maintenance_faults_answer_the_gateway_error_before_any_work(
    naver: NaverApi, setting: str, status: int, code: str
) -> None:
    payload = await naver.valid_payload()
    naver.faults.update({setting: 1.0})
    answer, body, _ = await naver.call("POST", "/v2/products", json=payload)
    assert (answer, body["code"]) == (status, code)
    assert (await naver.stats())["products"] == 0


async def test_get_returns_the_defaults_naver_fills_in(naver: NaverApi) -> None:
    payload = with_options(await naver.valid_payload(), [5, 7])
    info = payload["originProduct"]["detailAttribute"]["optionInfo"]
    info.pop("optionCombinationSortType", None)
    info.pop("useStockManagement", None)
    for row in info["optionCombinations"]:
        row.pop("usable", None)
    payload["originProduct"].pop("saleType", None)
    numbers = await naver.create(payload)
    status, body, _ = await naver.call("GET", f"{ORIGIN}/{numbers['originProductNo']}")
    origin = body["originProduct"]
    detail = origin["detailAttribute"]
    assert status == 200
    assert origin["saleType"] == "NEW"
    assert origin["customerBenefit"] == {}
    assert origin["deliveryInfo"]["deliveryBundleGroupUsable"] is False
    assert detail["skuYn"] is False
    assert detail["optionInfo"]["optionCombinationSortType"] == "CREATE"
    assert all(row["usable"] is True for row in detail["optionInfo"]["optionCombinations"])
    assert body["smartstoreChannelProduct"]["storeKeepExclusiveProduct"] is False


async def test_the_read_document_is_accepted_back_by_a_full_replace(naver: NaverApi) -> None:
    numbers = await naver.create(with_options(await naver.valid_payload(), [5, 7]))
    url = f"{ORIGIN}/{numbers['originProductNo']}"
    _, document, _ = await naver.call("GET", url)
    document["originProduct"]["name"] = "이름 바꾼 상품"
    status, body, _ = await naver.call("PUT", url, json=document)
    assert status == 200, body
    _, after, _ = await naver.call("GET", url)
    assert after["originProduct"]["name"] == "이름 바꾼 상품"
    assert after["originProduct"]["customerBenefit"] == {}


async def test_create_echoes_the_stored_product(naver: NaverApi) -> None:
    payload = await naver.valid_payload()
    body = await naver.create(payload)
    assert body["originProduct"]["name"] == payload["originProduct"]["name"]
    assert body["originProduct"]["statusType"] == "SALE"
    assert body["smartstoreChannelProduct"]["channelProductDisplayStatusType"] == "ON"
    assert "windowChannelProductNo" not in body
