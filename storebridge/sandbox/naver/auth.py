"""``POST /v1/oauth2/token`` of the simulated Naver API, and the Bearer check of every other call.

The token call is held to the spec Naver now enforces (reference §1.1, §8): form-urlencoded body
only (parameters in the query string are refused and counted, since Naver throttles such apps),
``grant_type=client_credentials``, ``type=SELF`` without ``account_id``, a 13-digit millisecond
timestamp no older than 5 minutes and not in the future, and a bcrypt signature checked by
recomputation.
"""

from __future__ import annotations

import asyncio
import math

from aiohttp import web

from storebridge.sandbox.naver.state import NaverState, get_state
from storebridge.sandbox.naver.tokens import signature_matches
from storebridge.sandbox.naver.wire import SimInvalidInput, token_error

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REQUIRED_FIELDS = ("client_id", "timestamp", "client_secret_sign", "grant_type", "type")
TIMESTAMP_DIGITS = 13

#: [NAV, D-357] exact texts.
TIMESTAMP_FUTURE = "timestamp 항목은 현재 이전이어야 합니다."
TIMESTAMP_EXPIRED = "timestamp항목의 유효 시간이 만료되었습니다."
#: [OBS, U-3] exact text.
SIGN_INVALID = "client_secret_sign 항목이 유효하지 않습니다"
#: [UNK] the remaining texts are ours.
NOT_NULL_MESSAGE = "데이터를 입력해주세요."
QUERY_REFUSED = "토큰 발급 요청 파라미터는 application/x-www-form-urlencoded 본문으로 보내야 합니다."
CONTENT_TYPE_REFUSED = "Content-Type은 application/x-www-form-urlencoded 이어야 합니다."
GRANT_TYPE_INVALID = "grant_type은 client_credentials 이어야 합니다."
TYPE_INVALID = "내 스토어 애플리케이션의 type은 SELF 이어야 합니다."
ACCOUNT_ID_REFUSED = "type이 SELF이면 account_id를 보내지 않아야 합니다."
CLIENT_ID_UNKNOWN = "client_id 항목이 유효하지 않습니다"


async def issue_token(request: web.Request) -> web.Response:
    """Check a token request and answer ``{access_token, expires_in, token_type}`` or 400 ``BadRequest``."""
    state = get_state(request)
    now_s = state.clock()
    spec_problems = _spec_problems(request)
    if spec_problems:
        state.stats.token_spec_violations += 1
        return token_error(spec_problems, now_s=now_s)
    form = await request.post()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    problems = _field_problems(values, state, now_s)
    if problems:
        return token_error(problems, now_s=now_s)
    client_id, timestamp = values["client_id"], values["timestamp"]
    # bcrypt is CPU work (tens of ms at cost 10); keep it off the event loop.
    valid = await asyncio.to_thread(
        signature_matches, values["client_secret_sign"], client_id, timestamp, state.config.client_secret
    )
    if not valid:
        return token_error([SimInvalidInput("client_secret_sign", "InvalidSign", SIGN_INVALID)], now_s=now_s)
    token, new = state.tokens.issue((client_id, "SELF", ""), now_s)
    if new:
        state.stats.tokens_issued += 1
    # [UNK] expires_in of a re-used token: we answer its remaining lifetime (reference §1.4).
    expires_in = math.floor(token.remaining_s(now_s))
    return web.json_response({"access_token": token.value, "expires_in": expires_in, "token_type": "Bearer"})


def _spec_problems(request: web.Request) -> list[SimInvalidInput]:
    """Transport-level violations: anything in the query string, or a non-form body."""
    problems = [
        SimInvalidInput(name, "NotAllowed.query", QUERY_REFUSED) for name in sorted(set(request.query))
    ]
    if request.content_type != FORM_CONTENT_TYPE:
        problems.append(SimInvalidInput("Content-Type", "UnsupportedContentType", CONTENT_TYPE_REFUSED))
    return problems


def _field_problems(values: dict[str, str], state: NaverState, now_s: float) -> list[SimInvalidInput]:
    problems = [
        SimInvalidInput(name, "NotNull", NOT_NULL_MESSAGE) for name in REQUIRED_FIELDS if not values.get(name)
    ]
    grant_type, type_ = values.get("grant_type"), values.get("type")
    if grant_type and grant_type != "client_credentials":
        problems.append(SimInvalidInput("grant_type", "InvalidGrantType", GRANT_TYPE_INVALID))
    if type_ and type_ != "SELF":
        problems.append(SimInvalidInput("type", "InvalidType", TYPE_INVALID))
    if "account_id" in values and type_ == "SELF":
        problems.append(SimInvalidInput("account_id", "NotAllowed", ACCOUNT_ID_REFUSED))
    client_id = values.get("client_id")
    if client_id and client_id != state.config.client_id:
        problems.append(SimInvalidInput("client_id", "InvalidClient", CLIENT_ID_UNKNOWN))
    timestamp = values.get("timestamp")
    if timestamp:
        message = _timestamp_problem(timestamp, now_s, state.config.timestamp_max_age_s)
        if message is not None:
            problems.append(SimInvalidInput("timestamp", "InvalidTimestamp", message))
    return problems


def _timestamp_problem(timestamp: str, now_s: float, max_age_s: int) -> str | None:
    """Naver's message for a bad timestamp, or None. Not-13-digit counts as expired [NAV, D-357]."""
    if len(timestamp) != TIMESTAMP_DIGITS or not timestamp.isdigit():
        return TIMESTAMP_EXPIRED
    now_ms = math.floor(now_s * 1000)
    stamp_ms = int(timestamp)
    if stamp_ms > now_ms:
        return TIMESTAMP_FUTURE
    if now_ms - stamp_ms > max_age_s * 1000:
        return TIMESTAMP_EXPIRED
    return None


def bearer_is_valid(request: web.Request, state: NaverState) -> bool:
    """True when ``Authorization: Bearer <token>`` names a live token (scheme case-insensitive)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return (
        scheme.lower() == "bearer"
        and bool(value.strip())
        and state.tokens.is_valid(value.strip(), state.clock())
    )
