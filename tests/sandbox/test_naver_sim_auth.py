"""The simulated token endpoint: signature, timestamp, transport and re-use rules (reference §1)."""

from __future__ import annotations

from typing import Any

import bcrypt
import pytest

from storebridge.sandbox.naver.app import NaverSimConfig
from tests.sandbox.support import NaverApi, ServeNaver, config_with, token_form

OFFICIAL_CLIENT_ID = "aaaabbbbcccc"
#: The documented secret ends in "…stuv", which bcrypt normalises to the canonical "…stuu".
CANONICAL_OFFICIAL_SECRET = "$2a$10$abcdefghijklmnopqrstuu"
OFFICIAL_TIMESTAMP = "1643961623299"
OFFICIAL_SIGN = "JDJhJDEwJGFiY2RlZmdoaWprbG1ub3BxcnN0dXVCVldZSk42T0VPdEx1OFY0cDQxa2IuTnpVaUEzbmsy"


async def post_token(naver: NaverApi, form: dict[str, str], **kwargs: Any) -> tuple[int, dict[str, Any]]:
    async with naver.session.post(naver.api("/v1/oauth2/token"), data=form, **kwargs) as response:
        return response.status, await response.json()


def messages(body: dict[str, Any]) -> dict[str, str]:
    return {item["name"]: item["message"] for item in body["invalidInputs"]}


async def test_official_signature_test_vector_gets_a_token(serve_naver: ServeNaver) -> None:
    config = config_with(client_id=OFFICIAL_CLIENT_ID, client_secret=CANONICAL_OFFICIAL_SECRET)
    naver = await serve_naver(config)
    naver.clock.now_s = int(OFFICIAL_TIMESTAMP) / 1000 + 10
    form = {
        "client_id": OFFICIAL_CLIENT_ID,
        "timestamp": OFFICIAL_TIMESTAMP,
        "client_secret_sign": OFFICIAL_SIGN,
        "grant_type": "client_credentials",
        "type": "SELF",
    }
    status, body = await post_token(naver, form)
    assert status == 200
    assert body["expires_in"] == 10800
    assert body["token_type"] == "Bearer"
    assert body["access_token"]


async def test_query_string_token_request_is_rejected_and_counted(naver: NaverApi) -> None:
    form = token_form(naver.config, naver.clock)
    async with naver.session.post(naver.api("/v1/oauth2/token"), params=form) as response:
        status, body = response.status, await response.json()
    stats = await naver.stats()
    assert status == 400
    assert body["code"] == "BadRequest"
    assert {"client_id", "timestamp", "client_secret_sign"} <= set(messages(body))
    assert stats["token_spec_violations"] == 1
    assert stats["tokens_issued"] == 0


async def test_parameters_in_query_and_body_are_still_rejected(naver: NaverApi) -> None:
    form = token_form(naver.config, naver.clock)
    status, body = await post_token(naver, form, params={"type": "SELF"})
    assert status == 400
    assert "type" in messages(body)


async def test_json_token_request_is_rejected(naver: NaverApi) -> None:
    form = token_form(naver.config, naver.clock)
    async with naver.session.post(naver.api("/v1/oauth2/token"), json=form) as response:
        status, body = response.status, await response.json()
    assert status == 400
    assert "Content-Type" in messages(body)


@pytest.mark.parametrize(
    ("offset_ms", "expected"),
    [
        (1, "timestamp 항목은 현재 이전이어야 합니다."),
        (-300_001, "timestamp항목의 유효 시간이 만료되었습니다."),
    ],
    ids=["future", "stale"],
)
async def test_timestamp_outside_the_five_minute_window_is_rejected(
    naver: NaverApi, offset_ms: int, expected: str
) -> None:
    timestamp = str(int(naver.clock.ms()) + offset_ms)
    status, body = await post_token(naver, token_form(naver.config, naver.clock, timestamp=timestamp))
    assert status == 400
    assert messages(body)["timestamp"] == expected


async def test_timestamp_just_inside_the_window_is_accepted(naver: NaverApi) -> None:
    timestamp = str(int(naver.clock.ms()) - 300_000)
    status, _ = await post_token(naver, token_form(naver.config, naver.clock, timestamp=timestamp))
    assert status == 200


async def test_seconds_instead_of_milliseconds_is_rejected_as_expired(naver: NaverApi) -> None:
    timestamp = str(int(naver.clock.now_s))
    status, body = await post_token(naver, token_form(naver.config, naver.clock, timestamp=timestamp))
    assert status == 400
    assert messages(body)["timestamp"] == "timestamp항목의 유효 시간이 만료되었습니다."


async def test_signature_without_base64_step_is_rejected(naver: NaverApi) -> None:
    form = token_form(naver.config, naver.clock)
    raw = bcrypt.hashpw(
        f"{form['client_id']}_{form['timestamp']}".encode(), naver.config.client_secret.encode()
    )
    status, body = await post_token(naver, {**form, "client_secret_sign": raw.decode()})
    assert status == 400
    assert messages(body)["client_secret_sign"] == "client_secret_sign 항목이 유효하지 않습니다"


async def test_signature_made_with_another_secret_is_rejected(naver: NaverApi) -> None:
    other = NaverSimConfig(client_secret="$2a$04$AnotherSandboxSecretSe")
    form = token_form(naver.config, naver.clock)
    forged = token_form(other, naver.clock, timestamp=form["timestamp"])
    status, body = await post_token(naver, {**form, "client_secret_sign": forged["client_secret_sign"]})
    assert status == 400
    assert "client_secret_sign" in messages(body)


async def test_missing_fields_wrong_grant_and_seller_type_are_all_reported(naver: NaverApi) -> None:
    form = token_form(naver.config, naver.clock, grant_type="password", type="SELLER")
    del form["client_secret_sign"]
    status, body = await post_token(naver, form)
    assert status == 400
    assert {"client_secret_sign", "grant_type", "type"} <= set(messages(body))


async def test_account_id_with_self_type_is_rejected(naver: NaverApi) -> None:
    status, body = await post_token(naver, token_form(naver.config, naver.clock, account_id="ncp_abc"))
    assert status == 400
    assert "account_id" in messages(body)


async def test_unknown_client_id_is_rejected(naver: NaverApi) -> None:
    status, body = await post_token(
        naver, token_form(naver.config, naver.clock, client_id="someoneelse0000000001")
    )
    assert status == 400
    assert "client_id" in messages(body)


async def test_same_token_is_returned_while_thirty_minutes_remain(naver: NaverApi) -> None:
    _, first = await post_token(naver, token_form(naver.config, naver.clock))
    naver.clock.advance(10800 - 1800)
    _, again = await post_token(naver, token_form(naver.config, naver.clock))
    stats = await naver.stats()
    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 1800
    assert stats["tokens_issued"] == 1


async def test_new_token_is_issued_when_less_than_thirty_minutes_remain_and_old_one_still_works(
    naver: NaverApi,
) -> None:
    _, first = await post_token(naver, token_form(naver.config, naver.clock))
    naver.clock.advance(10800 - 1799)
    _, second = await post_token(naver, token_form(naver.config, naver.clock))
    old_headers = {"Authorization": f"Bearer {first['access_token']}"}
    async with naver.session.get(naver.api("/v1/categories"), headers=old_headers) as response:
        old_status_before_expiry = response.status
    naver.clock.advance(1800)
    async with naver.session.get(naver.api("/v1/categories"), headers=old_headers) as response:
        old_status_after_expiry = response.status
    new_headers = {"Authorization": f"Bearer {second['access_token']}"}
    async with naver.session.get(naver.api("/v1/categories"), headers=new_headers) as response:
        new_status = response.status
    stats = await naver.stats()
    assert second["access_token"] != first["access_token"]
    assert second["expires_in"] == 10800
    assert (old_status_before_expiry, old_status_after_expiry, new_status) == (200, 401, 200)
    assert stats["tokens_issued"] == 2
