"""The two sandbox controls ``make chaos`` adds: Naver tokens expiring now, Domeggook's daily quota set."""

from __future__ import annotations

from storebridge.sandbox.catalog.generator import generate_catalog
from storebridge.sandbox.domeggook.app import DomeggookSimConfig
from tests.sandbox.support import Api, NaverApi, ServeDomeggook, on_sale


async def test_expired_tokens_are_refused_and_a_new_one_is_issued(naver: NaverApi) -> None:
    old = await naver.token()
    assert (await naver.call("GET", "/v1/categories"))[0] == 200

    async with naver.session.post(f"{naver.base_url}/_sandbox/tokens/expire") as resp:
        assert resp.status == 200
    status, body, _ = await naver.call("GET", "/v1/categories")
    naver._token = None
    fresh = await naver.token()

    assert status == 401
    assert body["code"] == "GW.AUTHN"
    assert fresh != old
    assert (await naver.call("GET", "/v1/categories"))[0] == 200


async def _set_quota(api: Api, body: object) -> tuple[int, dict[str, object]]:
    async with api.session.post(f"{api.base_url}/_sandbox/quota", json=body) as resp:
        return resp.status, dict(await resp.json())


async def test_quota_used_up_refuses_calls_until_midnight_gives_it_back(
    serve_domeggook: ServeDomeggook,
) -> None:
    api = await serve_domeggook(generate_catalog(20, 3), DomeggookSimConfig(per_day_limit=50))
    item = on_sale(api.catalog)
    assert (await api.call(ver="4.5", mode="getItemView", no=str(item.no)))[0] == 200

    assert (await _set_quota(api, {"daily_used": 50}))[0] == 200
    refused, _ = await api.call(ver="4.5", mode="getItemView", no=str(item.no))
    assert (await _set_quota(api, {"daily_used": 0}))[0] == 200
    back, _ = await api.call(ver="4.5", mode="getItemView", no=str(item.no))

    assert refused == 429
    assert back == 200


async def test_quota_control_refuses_a_bad_body(api: Api) -> None:
    for body in ({"daily_used": -1}, {"daily_used": "x"}, {"used": 3}, [1]):
        status, answer = await _set_quota(api, body)
        assert status == 400, body
        assert "daily_used" in str(answer["error"])
