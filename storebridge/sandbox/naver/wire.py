"""Wire shapes shared by every part of the Naver simulator: timestamps and the error bodies.

Naver answers in two error families (reference §6): the gateway's ``{code: "GW.…", message,
timestamp, traceId}`` and the product service's ``{code, message, invalidInputs[], timestamp}``. The
token service has a third spelling (``code: "BadRequest"``). Keeping the three builders here means
every handler produces byte-identical shapes for the same situation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

KST = timezone(timedelta(hours=9))
#: Request and answer bodies are JSON in UTF-8 (reference §0), except uploads and the token call.
JSON_CONTENT_TYPE = "application/json"

#: Gateway errors (reference §6), keyed by code: (HTTP status, Korean message).
GATEWAY_ERRORS: dict[str, tuple[int, str]] = {
    "GW.AUTHN": (401, "요청을 보낼 권한이 없습니다."),
    "GW.IP_NOT_ALLOWED": (403, "호출이 허용되지 않은 IP입니다."),
    "GW.NOT_FOUND": (404, "요청하신 리소스를 찾을 수 없습니다."),
    "GW.RATE_LIMIT": (429, "요청이 많아 서비스를 일시적으로 사용할 수 없습니다."),
    "GW.QUOTA_LIMIT": (429, "할당된 시간당 요청량을 초과하였습니다."),
    "GW.INTERNAL_SERVER_ERROR": (500, "작업 중 오류가 발생하였습니다."),
    "GW.PROXY.01": (500, "작업 중 오류가 발생하였습니다."),
    "GW.BLOCK.01": (503, "서비스를 일시적으로 사용할 수 없습니다."),
    "GW.BLOCK.02": (503, "서비스를 일시적으로 사용할 수 없습니다."),
    "GW.TIMEOUT.01": (504, "요청 대기 시간이 초과되었습니다."),
}

#: Generic top-level message of every 400 (confirmed by several sources, reference §2.10).
INVALID_DATA_MESSAGE = "입력한 데이터가 유효하지 않습니다."
#: Product-service ``code`` per HTTP status (reference §2.10).
PRODUCT_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    # [UNK] 405/413/415 are in the status table but no code is documented; these are our spellings.
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    500: "INTERNAL_SERVER_ERROR",
}


@dataclass(frozen=True)
class SimInvalidInput:
    """One ``invalidInputs[]`` item: a dot/bracket field path, a rule type and a Korean message."""

    name: str
    type: str
    message: str

    def as_json(self) -> dict[str, str]:
        """The wire form; an empty ``name`` is left out, as Naver does for product-wide rules."""
        body = {"name": self.name, "type": self.type, "message": self.message}
        if not self.name:
            del body["name"]
        return body


def kst_timestamp(now_s: float) -> str:
    """``2023-11-05T23:35:24.415+09:00`` — the gateway's timestamp format (millisecond precision)."""
    return datetime.fromtimestamp(now_s, tz=KST).isoformat(timespec="milliseconds")


def gateway_error(code: str, *, now_s: float, trace_id: str) -> web.Response:
    """A gateway error answer; the body's ``traceId`` equals the ``GNCP-GW-Trace-ID`` header."""
    status, message = GATEWAY_ERRORS[code]
    body = {"code": code, "message": message, "timestamp": kst_timestamp(now_s), "traceId": trace_id}
    return web.json_response(body, status=status)


def product_error(
    status: int,
    *,
    now_s: float,
    message: str = INVALID_DATA_MESSAGE,
    invalid_inputs: list[SimInvalidInput] | None = None,
) -> web.Response:
    """A product-service error (``CommonErrorResponse``); it carries no trace ID in the body."""
    body: dict[str, Any] = {
        "code": PRODUCT_CODES.get(status, "BAD_REQUEST"),
        "message": message,
        "timestamp": kst_timestamp(now_s),
    }
    if invalid_inputs is not None:
        body["invalidInputs"] = [item.as_json() for item in invalid_inputs]
    return web.json_response(body, status=status)


def token_error(invalid_inputs: list[SimInvalidInput], *, now_s: float) -> web.Response:
    """A 400 from the token service, which spells its code ``BadRequest`` (observed, reference §1.5).

    [UNK] Whether the specific Korean text sits in ``message`` or in ``invalidInputs``; we follow the
    observed app-status log: generic top-level message, the specific text in ``invalidInputs``.
    """
    body = {
        "code": "BadRequest",
        "message": "입력한 데이터가 유효하지 않습니다",
        "timestamp": kst_timestamp(now_s),
        "invalidInputs": [item.as_json() for item in invalid_inputs],
    }
    return web.json_response(body, status=400)


def common_response(*, data: Any = None) -> web.Response:
    """``CommonResponse {code, message, data}`` for delete / change-status / multi-update success.

    [UNK] Naver documents only placeholders for ``code``/``message``; clients must rely on HTTP 200.
    """
    body = {"code": "SUCCESS", "message": "요청이 정상적으로 처리되었습니다.", "data": data}
    return web.json_response(body, status=200)
