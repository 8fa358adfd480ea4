"""Domeggook's standard error bodies: ``{"errors": {code, message, dcode, dmessage, date}}``.

``dcode``/``dmessage`` of UNKNOWN_SERVICE and ITEM_ERROR, and the Korean texts marked *reference*,
are copied from ``domeggook-api.md`` §3.2. The ``code``/``message`` values and the dcodes marked
*invented* are not documented anywhere; they are placeholders a client must not rely on (it should
branch on ``dcode`` ITEM_ERROR only, and treat every other error as transient or a bug).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web

from storebridge.sandbox.domeggook.render import kst_datetime


@dataclass(frozen=True)
class SimDomeggookError:
    """One error kind; the HTTP status is the caller's choice (configurable per kind)."""

    code: str
    message: str
    dcode: str
    dmessage: str

    def detailed(self, detail: str) -> SimDomeggookError:
        """The same error with ``detail`` appended to ``dmessage`` (e.g. the bad parameter's name)."""
        return replace(self, dmessage=f"{self.dmessage} ({detail})")

    def body(self, now_ts: float) -> dict[str, Any]:
        """The JSON body, dated ``now_ts`` in KST."""
        return {
            "errors": {
                "code": self.code,
                "message": self.message,
                "dcode": self.dcode,
                "dmessage": self.dmessage,
                "date": kst_datetime(now_ts),
            }
        }

    def xml(self, now_ts: float) -> str:
        """The same error as XML, for requests that did not ask for ``om=json``."""
        fields = self.body(now_ts)["errors"]
        inner = "".join(f"<{k}>{html.escape(str(v))}</{k}>" for k, v in fields.items())
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<errors>{inner}</errors>\n'


# reference (LIVE S11 S13); sent with HTTP 404 by default (``unknown_service_http_status``)
UNKNOWN_SERVICE = SimDomeggookError("404", "Not Found", "UNKNOWN_SERVICE", "해당 오픈 API 서비스가 없습니다")
# reference (LIVE S11; code "40" from one test mock)
ITEM_ERROR = SimDomeggookError("40", "Item Error", "ITEM_ERROR", "해당 정보가 존재하지 않습니다")
# dmessage from the reference (ONE S18); dcode INVALID_AID invented
INVALID_KEY = SimDomeggookError("401", "Unauthorized", "INVALID_AID", "유효하지 않은 API Key 입니다")
# the reference only says the message contains "최소 한 가지 이상의 검색 조건"; dcode invented
NO_SEARCH_CONDITION = SimDomeggookError(
    "400", "Bad Request", "INVALID_PARAM", "최소 한 가지 이상의 검색 조건을 입력해야 합니다"
)
# the reference says a past-the-end page may be an error mentioning "페이지"/"목록이 없습니다"; the
# simulator takes that (defensive) reading for every empty page. dcode invented.
NO_ROWS = SimDomeggookError("404", "Not Found", "NO_DATA", "해당 페이지에 상품 목록이 없습니다")
# invented: malformed or missing parameters
BAD_PARAMETER = SimDomeggookError("400", "Bad Request", "INVALID_PARAM", "요청 파라미터가 올바르지 않습니다")
# invented: the simulator serves JSON only; a request without om=json gets this, as XML
JSON_ONLY = SimDomeggookError("400", "Bad Request", "INVALID_OM", "om 파라미터는 json 만 지원합니다")
# invented dcode; the text is quoted by S16 (probably from the docs); HTTP 429 per several clients
RATE_LIMITED = SimDomeggookError(
    "429",
    "Too Many Requests",
    "LIMIT_EXCEEDED",
    "분당 180회 이상 접속 시 3분, 일 15,000회 이상 접속 시 자정까지 차단됩니다",
)


def error_response(error: SimDomeggookError, now_ts: float, status: int) -> web.Response:
    """A JSON error response with HTTP ``status``."""
    return web.json_response(error.body(now_ts), status=status, dumps=_dumps)


def xml_error_response(error: SimDomeggookError, now_ts: float, status: int) -> web.Response:
    """An XML error response (``text/xml``), the reply to a request without ``om=json``."""
    return web.Response(text=error.xml(now_ts), status=status, content_type="text/xml", charset="utf-8")


def rate_limited_error(per_minute: int, per_day: int, minute_block_s: int) -> SimDomeggookError:
    """RATE_LIMITED with the configured figures (the defaults give the quoted text verbatim)."""
    text = (
        f"분당 {per_minute}회 이상 접속 시 {minute_block_s / 60:g}분, "
        f"일 {per_day:,}회 이상 접속 시 자정까지 차단됩니다"
    )
    return replace(RATE_LIMITED, dmessage=text)


def _dumps(value: Any) -> str:
    # ensure_ascii=False: the real API sends Korean as UTF-8, not \uXXXX escapes.
    return json.dumps(value, ensure_ascii=False)
